/**
 * `querylens dashboards --job <job> --out <dir>`: the dashboards, rules and examples of
 * dashboards/ for the user's job and data source, from the installed package. The
 * dashboards come from the shipped JSON (their generator needs the Grafana SDK, a
 * devDependency), the rules from the compiled rule sources. It never starts the agent.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { OutputFile, ShippedAssets } from '../../dashboards/deployment';
import { deploymentFiles, OUTPUT, SHIPPED } from '../../dashboards/deployment';
import { DEFAULT_RUNBOOK_URL } from '../../dashboards/prometheus/src/ruleFile';
import { RULE_FILE } from '../../dashboards/ruleArtifacts';
import type { CliCommand, CliIo } from './command';
import { EXIT_OK, UsageError } from './command';
import { DEFAULT_DATASOURCE, parseDashboardsArgs } from './dashboardsArgs';

const WRITTEN: readonly (readonly [string, string])[] = [
  [`${OUTPUT.dashboards}/*.json`, 'the dashboards, job and data source preselected'],
  [OUTPUT.dashboardProvider, 'Grafana provider loading them from there'],
  [OUTPUT.datasource, 'the Grafana data source (set its url)'],
  [RULE_FILE, 'the alert and recording rules for the job'],
  [SHIPPED.scrapeExample, 'scrape config, rule_files and alerting'],
  [SHIPPED.alertmanager, 'routing by severity and inhibitions'],
];

function table(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n');
}

export const DASHBOARDS_HELP = `Usage: querylens dashboards --job <job> --out <dir> [options]

Writes querylens's Grafana dashboards, Prometheus alert and recording rules,
Prometheus and Alertmanager examples and Grafana provisioning files for your
Prometheus job and Grafana data source. Reads only the installed package; never
starts the agent.

Options:
      --job <job>            the job label your agents are scraped under (required)
      --datasource <name>    Grafana data source name or uid the dashboards default to
                             (default: ${DEFAULT_DATASOURCE})
      --runbook-url <url>    base of every alert's runbook_url; the alert's anchor is
                             appended (default: ${DEFAULT_RUNBOOK_URL}, shipped in the package)
  -o, --out <dir>            folder to write into, created if missing (required)
  -h, --help                 this help

Writes, under <dir>:
${table(WRITTEN)}

Grafana: cp -r <dir>/grafana/provisioning/. /etc/grafana/provisioning/
Exit codes: 0 written, 2 usage error or unwritable folder.
`;

/** The package root: this file is dist/agent/cli/dashboardsCommand.js. */
const SHIPPED_DIR = join(__dirname, '..', '..', '..', 'dashboards');

function readShippedAssets(): ShippedAssets {
  const grafana = join(SHIPPED_DIR, SHIPPED.grafana);
  const files = readdirSync(grafana).filter((file) => file.endsWith('.json')).sort();
  if (files.length === 0) throw new Error(`no dashboards in ${grafana}: the querylens package is incomplete`);
  return {
    dashboards: new Map(files.map((file) => [file, readFileSync(join(grafana, file), 'utf8')])),
    scrapeExample: readFileSync(join(SHIPPED_DIR, SHIPPED.scrapeExample), 'utf8'),
    alertmanager: readFileSync(join(SHIPPED_DIR, SHIPPED.alertmanager), 'utf8'),
  };
}

function writeFiles(outDir: string, files: readonly OutputFile[]): void {
  for (const file of files) {
    const target = join(outDir, file.path);
    try {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.content);
    } catch (error) {
      throw new UsageError(`cannot write ${target}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function summary(outDir: string, job: string, datasource: string, files: readonly OutputFile[]): string {
  const rows = files.map((file) => [file.path, file.what] as const);
  return `Wrote ${files.length} files for job ${JSON.stringify(job)} and data source ${JSON.stringify(datasource)} under ${outDir}:\n${table(rows)}\n`;
}

export const dashboardsCommand: CliCommand = {
  name: 'dashboards',
  summary: 'write the dashboards, alert rules and provisioning files for your job and data source',
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const request = parseDashboardsArgs(args);
    if (request.help) {
      io.out(DASHBOARDS_HELP);
      return EXIT_OK;
    }
    const outDir = resolve(io.cwd, request.out);
    const files = deploymentFiles(readShippedAssets(), { ...request, outDir });
    writeFiles(outDir, files);
    io.out(summary(outDir, request.job, request.datasource, files));
    return EXIT_OK;
  },
};
