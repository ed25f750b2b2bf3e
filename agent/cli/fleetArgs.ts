/**
 * The options `querylens report --prometheus` and `querylens fleet` share:
 * which Prometheus (or Thanos Query, or Mimir), which jobs, which window,
 * which request headers. Turned into a `PrometheusTarget` and a `FleetScope`
 * here, with a UsageError naming what is wrong.
 */
import type { FleetScope } from '../../fleet/fleetModel';
import type { PrometheusTarget } from '../../fleet/prometheusApi';
import { UsageError } from './command';

export const FLEET_OPTIONS = {
  prometheus: { type: 'string' },
  job: { type: 'string', multiple: true, default: [] as string[] },
  window: { type: 'string' },
  header: { type: 'string', multiple: true, default: [] as string[] },
} as const;

export const FLEET_HELP = `      --prometheus <url>     read the fleet from this Prometheus (or Thanos Query,
                             Mimir's /prometheus prefix): the query API's base URL
      --job <name>           only this scrape job (repeatable; default: every job
                             with querylens metrics)
      --window <duration>    figures over the last <duration> (PromQL: 15m, 1h, 1d)
                             instead of totals since each process started
      --header 'Name: value' sent to Prometheus (repeatable; X-Scope-OrgID for Mimir)
`;

export interface FleetValues {
  readonly prometheus?: string;
  readonly job: readonly string[];
  readonly window?: string;
  readonly header: readonly string[];
}

/** A PromQL duration: one or more number-unit pairs, largest unit first by convention. */
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
const HEADER = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/;

function prometheusUrl(input: string): URL {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(input.trim()) ? input.trim() : `http://${input.trim()}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--prometheus ${JSON.stringify(input)} is not a URL (like http://prometheus:9090)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--prometheus must be http:// or https://, not ${url.protocol}`);
  // A pasted query URL means the server that answers it.
  url.pathname = url.pathname.replace(/\/api\/v1\/.*$/, '').replace(/\/+$/, '');
  url.search = '';
  url.hash = '';
  return url;
}

function headers(lines: readonly string[]): Record<string, string> {
  const parsed: Record<string, string> = {};
  for (const line of lines) {
    const match = HEADER.exec(line);
    if (match === null) throw new UsageError(`--header ${JSON.stringify(line)} is not 'Name: value'`);
    parsed[match[1]] = match[2];
  }
  return parsed;
}

/** Credentials in the URL become Basic authentication (fetch refuses them in a URL), so the URL can be shown. */
function withoutCredentials(url: URL): { url: URL; authorization?: string } {
  if (url.username === '' && url.password === '') return { url };
  const user = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  const bare = new URL(url.href);
  bare.username = '';
  bare.password = '';
  return { url: bare, authorization: `Basic ${Buffer.from(user, 'utf8').toString('base64')}` };
}

export function fleetTarget(values: FleetValues & { readonly prometheus: string }, timeoutMs: number): PrometheusTarget {
  const { url, authorization } = withoutCredentials(prometheusUrl(values.prometheus));
  return { url, headers: { ...(authorization === undefined ? {} : { Authorization: authorization }), ...headers(values.header) }, timeoutMs };
}

export function fleetScope(values: FleetValues): FleetScope {
  if (values.window !== undefined && !DURATION.test(values.window)) {
    throw new UsageError(`--window ${JSON.stringify(values.window)} is not a PromQL duration (like 15m, 1h, 1d)`);
  }
  const jobs = values.job.map((job) => job.trim()).filter((job) => job !== '');
  return { jobs, window: values.window };
}
