/**
 * `querylens report --url http://host:9464`: what the status page says, in a
 * terminal: fetches the running agent's /querylens/api/report and prints the
 * top statements and findings (or the JSON as is). It talks to an agent over
 * HTTP and never starts one. With `--prometheus <url>` it reports the whole
 * fleet instead, from the metrics Prometheus scraped (fleet/readFleet.ts).
 */
import { parseArgs } from 'node:util';
import type { QuerylensReport } from '../../report/reportModel';
import { readFleet } from '../../fleet/readFleet';
import { PrometheusError } from '../../fleet/prometheusApi';
import { agentBaseUrl, reportUrl } from './agentUrl';
import type { CliCommand, CliIo } from './command';
import { EXIT_OK, EXIT_USAGE, UsageError, parsedAsUsage, positiveInteger } from './command';
import { FLEET_HELP, FLEET_OPTIONS, fleetScope, fleetTarget, type FleetValues } from './fleetArgs';
import { formatFleetReportText } from './formatFleetReport';
import { formatReportText } from './formatReport';

const DEFAULT_AGENT_URL = 'http://127.0.0.1:9464';

export const REPORT_HELP = `Usage: querylens report [--url http://host:9464] [options]
       querylens report --prometheus http://prometheus:9090 [--job <name>] [options]

Prints the top statements and findings of a running service, read from its
agent's GET /querylens/api/report; or, with --prometheus, of every instance
Prometheus scrapes: top statements by total time across the fleet, findings
by rule and pools by saturation, per instance where the instances differ.

Options:
  -u, --url <url>            the agent's address (default: http://127.0.0.1:9464);
                             host:port means http://, and a pasted status page
                             or report URL means the agent serving it
${FLEET_HELP}  -f, --format <text|json>   output format (default: text)
  -n, --limit <n>            top statements shown in text (default: 10)
      --timeout <ms>         give up after this long (default: 5000)
  -h, --help                 this help

Exit codes: 0 printed, 2 usage error or the agent (or Prometheus) could not be read.
`;

const FORMATS = ['text', 'json'] as const;
type ReportFormat = (typeof FORMATS)[number];

interface ReportArgs {
  readonly url: URL;
  readonly fleet: FleetValues;
  readonly format: ReportFormat;
  readonly limit: number;
  readonly timeoutMs: number;
  readonly help: boolean;
}

function parseReportArgs(args: readonly string[]): ReportArgs {
  const { values } = parsedAsUsage(() => parseArgs({
    args: [...args],
    strict: true,
    options: {
      url: { type: 'string', short: 'u' },
      ...FLEET_OPTIONS,
      format: { type: 'string', short: 'f', default: 'text' },
      limit: { type: 'string', short: 'n', default: '10' },
      timeout: { type: 'string', default: '5000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
  const format = FORMATS.find((candidate) => candidate === values.format);
  if (format === undefined) throw new UsageError(`--format ${JSON.stringify(values.format)} is not valid (accepted: ${FORMATS.join(', ')})`);
  if (values.url !== undefined && values.prometheus !== undefined) throw new UsageError('--url reads one agent and --prometheus the fleet: give one of them');
  return {
    url: agentBaseUrl(values.url ?? DEFAULT_AGENT_URL), fleet: values, format,
    limit: positiveInteger('limit', values.limit), timeoutMs: positiveInteger('timeout', values.timeout), help: values.help,
  };
}

function isReport(value: unknown): value is QuerylensReport {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<QuerylensReport>;
  return typeof candidate.schemaVersion === 'number' && Array.isArray(candidate.findings) && Array.isArray(candidate.queries?.top);
}

/** The report, or the reason it could not be read (printed, exit 2). */
async function fetchReport(url: string, timeoutMs: number): Promise<QuerylensReport | string> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
    return `cannot reach the agent at ${url}: ${cause}`;
  }
  if (response.status !== 200) return `${url} answered ${response.status} ${response.statusText}; is this a querylens agent port?`;
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return `${url} did not answer JSON; is this a querylens agent port?`;
  }
  return isReport(body) ? body : `${url} did not answer a querylens report`;
}

function print(io: CliIo, format: ReportFormat, json: unknown, text: () => string): void {
  io.out(format === 'json' ? `${JSON.stringify(json, null, 2)}\n` : text());
}

async function reportFleet(options: ReportArgs & { readonly fleet: { readonly prometheus: string } }, io: CliIo): Promise<number> {
  const scope = fleetScope(options.fleet);
  try {
    const fleet = await readFleet(fleetTarget(options.fleet, options.timeoutMs), scope);
    print(io, options.format, fleet, () => formatFleetReportText(fleet, options.limit));
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof PrometheusError)) throw error;
    io.err(`querylens: ${error.message}\n`);
    return EXIT_USAGE;
  }
}

export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'print a running service\'s top statements and findings (from its agent, or the fleet\'s from Prometheus)',
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const options = parseReportArgs(args);
    if (options.help) {
      io.out(REPORT_HELP);
      return EXIT_OK;
    }
    const { prometheus } = options.fleet;
    if (prometheus !== undefined) return reportFleet({ ...options, fleet: { ...options.fleet, prometheus } }, io);
    const url = reportUrl(options.url);
    const report = await fetchReport(url, options.timeoutMs);
    if (typeof report === 'string') {
      io.err(`querylens: ${report}\n`);
      return EXIT_USAGE;
    }
    print(io, options.format, report, () => formatReportText(report, options.limit));
    return EXIT_OK;
  },
};
