/**
 * What `querylens report --url` accepts: the agent's address as people have
 * it at hand. A bare `host:port` (what the demo and `ss` print) means http,
 * and a URL pasted from the browser (the status page, the JSON report, or
 * another agent route, with its query string) means the agent that serves
 * it. A path before those routes is kept: an agent behind a proxy prefix.
 */
import { ROUTE_PATHS } from '../../http/routePaths';
import { UsageError } from './command';

/** The agent routes a pasted URL may end with; the longest first, so `/querylens/api/report` is not read as `/querylens`. */
const AGENT_ROUTES = [ROUTE_PATHS.report, ROUTE_PATHS.statusPage, ROUTE_PATHS.metrics, ROUTE_PATHS.health];
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const EXAMPLE = 'like localhost:9464 or http://127.0.0.1:9464';

function withScheme(input: string): string {
  return HAS_SCHEME.test(input) ? input : `http://${input}`;
}

function agentPath(pathname: string): string {
  const trimmed = pathname.replace(/\/+$/, '');
  const route = AGENT_ROUTES.find((candidate) => trimmed.endsWith(candidate));
  const base = route === undefined ? trimmed : trimmed.slice(0, -route.length);
  return `${base}/`;
}

/** The agent's base URL (ending in `/`) for `--url <input>`; a UsageError says what is wrong with garbage. */
export function agentBaseUrl(input: string): URL {
  const text = input.trim();
  // A bare number would parse as an IPv4 address (9464 is 0.0.36.248): almost surely a port without its host.
  if (/^\d+$/.test(text)) throw new UsageError(`--url ${JSON.stringify(input)} has no host (${EXAMPLE})`);
  let url: URL;
  try {
    url = new URL(withScheme(text));
  } catch {
    throw new UsageError(`--url ${JSON.stringify(input)} is not a URL (${EXAMPLE})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be http:// or https://, not ${url.protocol}`);
  url.pathname = agentPath(url.pathname);
  url.search = '';
  url.hash = '';
  return url;
}

/** Where the report is read from, for the agent at `base` (from agentBaseUrl). */
export function reportUrl(base: URL): string {
  return new URL(ROUTE_PATHS.report.slice(1), base).href;
}
