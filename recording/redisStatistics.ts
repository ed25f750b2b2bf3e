/**
 * Per-operation Redis statistics for the report: calls, failures and a
 * latency distribution per (server, database, operation), fed by capture
 * through the tally it keeps for each (see core/redisOperations.ts).
 *
 * The history is per server: a command takes no clock read for it, so the
 * agent's sampler (`sampleHistory`) closes each minute from the tallies'
 * totals, summed over the server's operations.
 */
import { LatencyBuckets, emptyBuckets } from '../core/latencyBuckets';
import { MinuteHistory, NOTHING_COUNTED, minuteOf, type CumulativeReading, type HistoryShape, type HistoryWindow } from '../core/minuteHistory';
import { DISCARDED_TALLY, type RedisOperation, type RedisOperationSink, type RedisOperationTally } from '../core/redisOperations';

/**
 * Capture caches 64 targets × 256 operation names; the same bound here keeps
 * memory fixed when a process talks to more servers than that.
 */
const MAX_OPERATIONS = 64 * 256;
/** Servers with a history: the 64 targets capture caches. */
export const MAX_REDIS_HISTORY_SERVERS = 64;

/** calls and errors per bucket, and the p95 of their latency. */
export const REDIS_HISTORY_SHAPE: HistoryShape = { counters: 2, peaks: 0, latency: true };

export interface RedisServerHistory extends HistoryWindow {
  readonly server: string;
}

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
  private readonly histories = new Map<string, MinuteHistory>();
  private sampledMinute = -1;

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

  /** Closes the minutes that ended before `nowMs` for every server (the agent's sampler calls it). */
  sampleHistory(nowMs: number): void {
    const minute = minuteOf(nowMs);
    // Summing the tallies is only worth it when a minute has ended.
    if (minute <= this.sampledMinute) return;
    this.sampledMinute = minute;
    for (const [server, total] of this.serverTotals()) this.historyOf(server, minute)?.roll(minute, total);
  }

  /** Per server, its buckets that end after `sinceMs`, read at `nowMs`. */
  serverHistories(nowMs: number, sinceMs?: number): RedisServerHistory[] {
    const found: RedisServerHistory[] = [];
    for (const [server, total] of this.serverTotals()) {
      const window = this.historyOf(server, minuteOf(nowMs))?.window(nowMs, total, sinceMs);
      if (window !== undefined) found.push({ server, ...window });
    }
    return found;
  }

  /** A server seen for the first time starts its history from nothing, so its first calls land in the open minute. */
  private historyOf(server: string, minute: number): MinuteHistory | undefined {
    let history = this.histories.get(server);
    if (history === undefined && this.histories.size < MAX_REDIS_HISTORY_SERVERS) {
      history = new MinuteHistory(REDIS_HISTORY_SHAPE);
      history.start(minute, NOTHING_COUNTED);
      this.histories.set(server, history);
    }
    return history;
  }

  /** Calls, errors and latency buckets per server, summed over its operations since start. */
  private serverTotals(): Map<string, CumulativeReading> {
    const totals = new Map<string, { counters: number[]; buckets: number[]; maxMs: number }>();
    for (const { operation, calls, errors, latency } of this.tallies.values()) {
      let total = totals.get(operation.server);
      if (total === undefined) {
        total = { counters: [0, 0], buckets: emptyBuckets(), maxMs: 0 };
        totals.set(operation.server, total);
      }
      total.counters[0]! += calls;
      total.counters[1]! += errors;
      latency.buckets.forEach((count, i) => { total.buckets[i]! += count; });
      total.maxMs = Math.max(total.maxMs, latency.maxMs);
    }
    return totals;
  }
}
