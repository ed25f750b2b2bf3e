/**
 * Per route (capture names and bounds them, with an `other` bucket): the
 * requests that ended, the statements they sent and their database time,
 * and per statement its executions and time on the route, for statements
 * per request and database time per request. Bounded: MAX_ROUTES routes,
 * MAX_STATEMENTS_PER_ROUTE statements per route (the busiest kept).
 */
import type { RequestTally } from './requestTallies';

export const MAX_ROUTES = 200;
export const MAX_STATEMENTS_PER_ROUTE = 20;

export interface RouteStatementStats {
  readonly fingerprint: string;
  readonly calls: number;
  readonly totalMs: number;
  /** Requests of the route that sent it. */
  readonly requests: number;
}

export interface RouteStats {
  readonly route: string;
  readonly requests: number;
  readonly statements: number;
  readonly totalMs: number;
  readonly lastSeen: number;
  /** Busiest first. */
  readonly byStatement: readonly RouteStatementStats[];
}

interface MutableStatement {
  readonly fingerprint: string;
  calls: number;
  totalMs: number;
  requests: number;
}

interface MutableRoute {
  readonly route: string;
  requests: number;
  statements: number;
  totalMs: number;
  lastSeen: number;
  readonly byStatement: Map<string, MutableStatement>;
}

export class RouteStatistics {
  private readonly routes = new Map<string, MutableRoute>();

  record(route: string, tally: RequestTally | undefined, at: number): void {
    let stats = this.routes.get(route);
    if (stats === undefined) {
      if (this.routes.size >= MAX_ROUTES) return;
      stats = { route, requests: 0, statements: 0, totalMs: 0, lastSeen: at, byStatement: new Map() };
      this.routes.set(route, stats);
    }
    stats.requests += 1;
    stats.lastSeen = at;
    if (tally === undefined) return;
    stats.statements += tally.statements;
    stats.totalMs += tally.totalMs;
    for (const [fingerprint, statement] of tally.byFingerprint) {
      let kept = stats.byStatement.get(fingerprint);
      if (kept === undefined) {
        if (stats.byStatement.size >= MAX_STATEMENTS_PER_ROUTE) continue;
        kept = { fingerprint, calls: 0, totalMs: 0, requests: 0 };
        stats.byStatement.set(fingerprint, kept);
      }
      kept.calls += statement.calls;
      kept.totalMs += statement.totalMs;
      kept.requests += 1;
    }
  }

  /** Routes by database time, most first. */
  list(): RouteStats[] {
    return [...this.routes.values()]
      .map((stats) => ({
        route: stats.route,
        requests: stats.requests,
        statements: stats.statements,
        totalMs: stats.totalMs,
        lastSeen: stats.lastSeen,
        byStatement: [...stats.byStatement.values()].map((statement) => ({ ...statement })).sort((a, b) => b.totalMs - a.totalMs),
      }))
      .sort((a, b) => b.totalMs - a.totalMs);
  }

  reset(): void {
    this.routes.clear();
  }
}
