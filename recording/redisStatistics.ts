/**
 * Per-operation Redis statistics for the report: calls, failures and a
 * latency distribution per (server, database, operation), fed by capture
 * through the tally it keeps for each (see core/redisOperations.ts).
 */
import { LatencyBuckets } from '../core/latencyBuckets';
import { DISCARDED_TALLY, type RedisOperation, type RedisOperationSink, type RedisOperationTally } from '../core/redisOperations';

/**
 * Capture caches 64 targets × 256 operation names; the same bound here keeps
 * memory fixed when a process talks to more servers than that.
 */
const MAX_OPERATIONS = 64 * 256;

export interface RedisCommandSummary {
  /** `host:port`, a socket path, or `cluster`. */
  readonly server: string;
  readonly database: number;
  readonly command: string;
  readonly calls: number;
  readonly errors: number;
  readonly p95Ms: number;
}

class OperationTally implements RedisOperationTally {
  calls = 0;
  errors = 0;
  readonly latency = new LatencyBuckets();

  constructor(readonly operation: RedisOperation) {}

  settled(durationMs: number, failed: boolean): void {
    this.calls += 1;
    if (failed) this.errors += 1;
    this.latency.record(durationMs);
  }
}

export class RedisStatistics implements RedisOperationSink {
  private readonly tallies = new Map<string, OperationTally>();

  tally(operation: RedisOperation): RedisOperationTally {
    const key = `${operation.server}\u0000${operation.database}\u0000${operation.operation}`;
    const known = this.tallies.get(key);
    if (known) return known;
    if (this.tallies.size >= MAX_OPERATIONS) return DISCARDED_TALLY;
    const created = new OperationTally(operation);
    this.tallies.set(key, created);
    return created;
  }

  /** Per operation and server since start, busiest first (the report's Redis section). */
  summaries(): RedisCommandSummary[] {
    const summaries: RedisCommandSummary[] = [];
    for (const { operation, calls, errors, latency } of this.tallies.values()) {
      if (calls === 0) continue;
      summaries.push({ server: operation.server, database: operation.database, command: operation.operation, calls, errors, p95Ms: Math.round(latency.quantile(0.95) * 1000) / 1000 });
    }
    return summaries.sort((a, b) => b.calls - a.calls);
  }
}
