/**
 * `querylens report --url http://host:9464`: what the status page says, in a
 * terminal: fetches the running agent's /querylens/api/report and prints the
 * top statements and findings (or the JSON as is). It talks to an agent over
 * HTTP and never starts one.
 */
import { parseArgs } from 'node:util';
import type { QuerylensReport } from '../../report/reportModel';
import { agentBaseUrl, reportUrl } from './agentUrl';
import type { CliCommand, CliIo } from './command';
import { EXIT_OK, EXIT_USAGE, UsageError, parsedAsUsage } from './command';
import { formatReportText } from './formatReport';

export const REPORT_HELP = `Usage: querylens report [--url http://host:9464] [options]

Prints the top statements and findings of a running service, read from its
agent's GET /querylens/api/report.

Options:
  -u, --url <url>            the agent's address (default: http://127.0.0.1:9464);
                             host:port means http://, and a pasted status page
                             or report URL means the agent serving it
  -f, --format <text|json>   output format (default: text)
  -n, --limit <n>            top statements shown in text (default: 10)
      --timeout <ms>         give up after this long (default: 5000)
  -h, --help                 this help

Exit codes: 0 printed, 2 usage error or the agent could not be read.
`;

const FORMATS = ['text', 'json'] as const;
type ReportFormat = (typeof FORMATS)[number];

interface ReportArgs {
  readonly url: URL;
  readonly format: ReportFormat;
  readonly limit: number;
  readonly timeoutMs: number;
  readonly help: boolean;
}

function positiveInteger(option: string, value: string): number {
  const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < 1) throw new UsageError(`--${option} ${JSON.stringify(value)} is not a positive integer`);
  return parsed;
}

function parseReportArgs(args: readonly string[]): ReportArgs {
  const { values } = parsedAsUsage(() => parseArgs({
    args: [...args],
    strict: true,
    options: {
      url: { type: 'string', short: 'u', default: 'http://127.0.0.1:9464' },
      format: { type: 'string', short: 'f', default: 'text' },
      limit: { type: 'string', short: 'n', default: '10' },
      timeout: { type: 'string', default: '5000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
  const format = FORMATS.find((candidate) => candidate === values.format);
  if (format === undefined) throw new UsageError(`--format ${JSON.stringify(values.format)} is not valid (accepted: ${FORMATS.join(', ')})`);
  return { url: agentBaseUrl(values.url), format, limit: positiveInteger('limit', values.limit), timeoutMs: positiveInteger('timeout', values.timeout), help: values.help };
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

export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'print a running service\'s top statements and findings (from its agent)',
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const options = parseReportArgs(args);
    if (options.help) {
      io.out(REPORT_HELP);
      return EXIT_OK;
    }
    const url = reportUrl(options.url);
    const report = await fetchReport(url, options.timeoutMs);
    if (typeof report === 'string') {
      io.err(`querylens: ${report}\n`);
      return EXIT_USAGE;
    }
    io.out(options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatReportText(report, options.limit));
    return EXIT_OK;
  },
};
