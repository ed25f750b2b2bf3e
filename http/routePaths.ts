/**
 * Every path the agent server answers, named once: the routes are built from
 * these, and `querylens report` reads the report from `ROUTE_PATHS.report`.
 */
export const ROUTE_PATHS = {
  metrics: '/metrics',
  report: '/querylens/api/report',
  statusPage: '/querylens',
  /** Followed by `/<action>`: `reset-stats`, `clear-caches`. */
  adminActions: '/querylens/api/actions',
  health: '/healthz',
} as const;
