/** The arguments of `querylens dashboards`, checked: anything wrong is a UsageError (exit 2). */
import { parseArgs } from 'node:util';
import { DEFAULT_RUNBOOK_URL } from '../../dashboards/prometheus/src/ruleFile';
import { UsageError, parsedAsUsage } from './command';

/** Also the name the provisioned data source gets, so the dashboards' default finds it. */
export const DEFAULT_DATASOURCE = 'Prometheus';

export interface DashboardsRequest {
  readonly help: false;
  readonly job: string;
  readonly datasource: string;
  readonly runbookUrl: string;
  /** As given: relative to the working directory. */
  readonly out: string;
}

export type DashboardsArgs = DashboardsRequest | { readonly help: true };

/**
 * Refuses a missing or empty value. For --job that is the whole check: any other string is a
 * valid Prometheus label value, quoted wherever it is written.
 */
function given(option: string, value: string | undefined, what: string): string {
  if (value === undefined) throw new UsageError(`--${option} is required: ${what}`);
  if (value === '') throw new UsageError(`--${option} must not be empty: ${what}`);
  return value;
}

export function parseDashboardsArgs(args: readonly string[]): DashboardsArgs {
  const { values } = parsedAsUsage(() => parseArgs({
    args: [...args],
    strict: true,
    options: {
      job: { type: 'string' },
      datasource: { type: 'string', default: DEFAULT_DATASOURCE },
      'runbook-url': { type: 'string', default: DEFAULT_RUNBOOK_URL },
      out: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
  if (values.help) return { help: true };
  return {
    help: false,
    job: given('job', values.job, 'the Prometheus job name your agents are scraped under'),
    datasource: given('datasource', values.datasource, 'the Grafana data source name or uid'),
    runbookUrl: given('runbook-url', values['runbook-url'], 'the address of the runbooks'),
    out: given('out', values.out, 'the folder to write into'),
  };
}
