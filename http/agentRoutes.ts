/**
 * The agent server's routes, in the order its 404 answer lists them: the
 * Prometheus scrape (when metrics are served here), the report as JSON, the
 * status page, the admin actions and the health check.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { QuerylensReport } from '../report/reportModel';
import { adminActionRoutes, type AdminActionTargets } from './adminActions';
import { buildHealth, type HealthSources } from './health';
import { ROUTE_PATHS } from './routePaths';
import { sendJson, type Route } from './server';
import { parseSinceParameter } from './sinceParameter';
import { queryOf } from './queryString';
import { statusPageRoute } from './statusPage/statusPageRoute';

export interface AgentRouteSources {
  /** The Prometheus exporter's request handler; undefined when metrics are pushed or off. */
  readonly metrics: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  /** `sinceMs`: history buckets that ended before it are left out. */
  readonly report: (sinceMs?: number) => QuerylensReport;
  readonly admin: AdminActionTargets;
  readonly health: HealthSources;
}

export function agentRoutes(sources: AgentRouteSources): Route[] {
  const routes: Route[] = [
    {
      method: 'GET',
      path: ROUTE_PATHS.report,
      handler: (req, res) => {
        const since = parseSinceParameter(queryOf(req.url).get('since'));
        if (since.ok) sendJson(res, 200, sources.report(since.sinceMs));
        else sendJson(res, 400, { error: since.error });
      },
    },
    statusPageRoute(() => sources.report()),
    ...adminActionRoutes(sources.admin),
    { method: 'GET', path: ROUTE_PATHS.health, handler: (_req, res) => sendJson(res, 200, buildHealth(sources.health, Date.now())) },
  ];
  const { metrics } = sources;
  if (metrics) routes.unshift({ method: 'GET', path: ROUTE_PATHS.metrics, handler: metrics });
  return routes;
}
