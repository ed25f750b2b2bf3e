/**
 * What each HTTP request in flight has sent so far: its statements, their
 * time, and per fingerprint its executions, until the request ends and its
 * route's statistics take them (routeStatistics.ts). Bounded: requests in
 * an LRU (one that never ends ages out), fingerprints per request capped.
 */
import { LruMap } from '../core/lruMap';

export const MAX_REQUESTS_IN_FLIGHT = 1000;
export const MAX_FINGERPRINTS_PER_REQUEST = 64;

export interface StatementTally {
  calls: number;
  totalMs: number;
}

export interface RequestTally {
  statements: number;
  totalMs: number;
  readonly byFingerprint: Map<string, StatementTally>;
}

export class RequestTallies {
  private readonly requests = new LruMap<string, RequestTally>(MAX_REQUESTS_IN_FLIGHT);

  observe(requestKey: string, fingerprint: string, durationMs: number): void {
    let tally = this.requests.get(requestKey);
    if (tally === undefined) {
      tally = { statements: 0, totalMs: 0, byFingerprint: new Map() };
      this.requests.set(requestKey, tally);
    }
    tally.statements += 1;
    tally.totalMs += durationMs;
    let statement = tally.byFingerprint.get(fingerprint);
    if (statement === undefined) {
      if (tally.byFingerprint.size >= MAX_FINGERPRINTS_PER_REQUEST) return;
      statement = { calls: 0, totalMs: 0 };
      tally.byFingerprint.set(fingerprint, statement);
    }
    statement.calls += 1;
    statement.totalMs += durationMs;
  }

  /** The request's tally, forgotten here: it has ended. */
  take(requestKey: string): RequestTally | undefined {
    const tally = this.requests.peek(requestKey);
    if (tally !== undefined) this.requests.delete(requestKey);
    return tally;
  }

  reset(): void {
    this.requests.clear();
  }
}
