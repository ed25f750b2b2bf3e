/**
 * Per-statement statistics like pg_stat_statements, for the top-K
 * fingerprints of this process.
 *
 * Admission is the space-saving heavy-hitter algorithm: when the table is
 * full, a new fingerprint replaces the entry with the lowest weight and
 * starts at that weight + 1. Weights only rank entries; the statistics of an
 * entry (calls, time, rows, errors) are exact counts since it was admitted.
 * The evicted entry's statistics move into `other`, so the sum of all entries
 * plus `other` is always the total of everything recorded. Guarantee of the
 * algorithm: after N executions, every fingerprint executed more than N/K
 * times is in the table; a flood of one-off statements churns the lowest
 * entries. Eviction scans for the minimum: O(K), only on admission.
 *
 * Latency percentiles come from fixed buckets (interpolated inside the
 * bucket, capped by the observed maximum), so memory per entry is constant.
 *
 * Each entry keeps its history (core/minuteHistory.ts): the first execution
 * of an entry in a new minute closes the previous minute from the totals,
 * so an execution costs one division and one comparison more. An evicted
 * entry's history is handed to the entry that replaces it, started over.
 */
import { bucketIndex, emptyBuckets, quantileFromBuckets } from '../core/latencyBuckets';
import { MinuteHistory, NOTHING_COUNTED, minuteOf, type CumulativeReading, type HistoryShape, type HistoryWindow } from '../core/minuteHistory';

/** Distinct SQLSTATEs kept per fingerprint; further codes are counted under `other`. */
export const MAX_ERROR_CODES_PER_QUERY = 8;
export const OTHER = 'other';

export interface QueryExecution {
  readonly fingerprint: string;
  readonly normalized: string;
  readonly operation: string;
  readonly collection: string;
  readonly tables: readonly string[];
  readonly durationMs: number;
  readonly rows: number | undefined;
  readonly errorCode: string | undefined;
  /** ms since epoch */
  readonly at: number;
}

export interface QueryStats {
  readonly fingerprint: string;
  readonly normalized: string;
  readonly operation: string;
  readonly collection: string;
  readonly tables: readonly string[];
  readonly calls: number;
  readonly totalMs: number;
  readonly meanMs: number;
  readonly maxMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly rows: number;
  readonly errors: number;
  readonly errorsByCode: Readonly<Record<string, number>>;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

export interface OverflowStats {
  /** Executions recorded by fingerprints that were later pushed out of the top-K. */
  readonly calls: number;
  readonly totalMs: number;
  readonly rows: number;
  readonly errors: number;
  /** Entries that were pushed out of the top-K. */
  readonly evictions: number;
}

/** calls, total time, rows, errors per bucket, and the latency buckets' p95. */
export const STATEMENT_HISTORY_SHAPE: HistoryShape = { counters: 4, peaks: 0, latency: true };

interface Entry {
  readonly fingerprint: string;
  readonly normalized: string;
  readonly operation: string;
  readonly collection: string;
  readonly tables: readonly string[];
  weight: number;
  calls: number;
  totalMs: number;
  maxMs: number;
  rows: number;
  errors: number;
  readonly errorsByCode: Map<string, number>;
  readonly buckets: number[];
  readonly firstSeen: number;
  lastSeen: number;
  readonly history: MinuteHistory;
}

function reading(entry: Entry): CumulativeReading {
  return { counters: [entry.calls, entry.totalMs, entry.rows, entry.errors], buckets: entry.buckets, maxMs: entry.maxMs };
}

function snapshot(entry: Entry): QueryStats {
  return {
    fingerprint: entry.fingerprint,
    normalized: entry.normalized,
    operation: entry.operation,
    collection: entry.collection,
    tables: entry.tables,
    calls: entry.calls,
    totalMs: entry.totalMs,
    meanMs: entry.calls === 0 ? 0 : entry.totalMs / entry.calls,
    maxMs: entry.maxMs,
    p50Ms: quantileFromBuckets(entry.buckets, entry.calls, entry.maxMs, 0.5),
    p95Ms: quantileFromBuckets(entry.buckets, entry.calls, entry.maxMs, 0.95),
    p99Ms: quantileFromBuckets(entry.buckets, entry.calls, entry.maxMs, 0.99),
    rows: entry.rows,
    errors: entry.errors,
    errorsByCode: Object.fromEntries(entry.errorsByCode),
    firstSeen: entry.firstSeen,
    lastSeen: entry.lastSeen,
  };
}

export class QueryStatistics {
  private readonly entries = new Map<string, Entry>();
  private overflow = { calls: 0, totalMs: 0, rows: 0, errors: 0, evictions: 0 };

  /** `onEvict` sees each entry's final statistics as it leaves the table (metrics keep its series). */
  constructor(readonly capacity: number, private readonly onEvict?: (evicted: QueryStats) => void) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`top-K capacity must be a positive integer, got ${capacity}`);
  }

  record(execution: QueryExecution): void {
    const entry = this.entries.get(execution.fingerprint) ?? this.admit(execution);
    const minute = minuteOf(execution.at);
    if (minute > entry.history.minute) entry.history.roll(minute, reading(entry));
    entry.weight += 1;
    entry.calls += 1;
    entry.totalMs += execution.durationMs;
    if (execution.durationMs > entry.maxMs) entry.maxMs = execution.durationMs;
    entry.buckets[bucketIndex(execution.durationMs)]! += 1;
    entry.rows += execution.rows ?? 0;
    entry.lastSeen = execution.at;
    if (execution.errorCode !== undefined) {
      entry.errors += 1;
      const code = entry.errorsByCode.has(execution.errorCode) || entry.errorsByCode.size < MAX_ERROR_CODES_PER_QUERY
        ? execution.errorCode
        : OTHER;
      entry.errorsByCode.set(code, (entry.errorsByCode.get(code) ?? 0) + 1);
    }
  }

  private admit(execution: QueryExecution): Entry {
    let inheritedWeight = 0;
    let history: MinuteHistory | undefined;
    if (this.entries.size >= this.capacity) ({ weight: inheritedWeight, history } = this.evictLightest());
    history ??= new MinuteHistory(STATEMENT_HISTORY_SHAPE);
    history.start(minuteOf(execution.at), NOTHING_COUNTED);
    const entry: Entry = {
      fingerprint: execution.fingerprint,
      normalized: execution.normalized,
      operation: execution.operation,
      collection: execution.collection,
      tables: execution.tables,
      weight: inheritedWeight,
      calls: 0,
      totalMs: 0,
      maxMs: 0,
      rows: 0,
      errors: 0,
      errorsByCode: new Map(),
      buckets: emptyBuckets(),
      firstSeen: execution.at,
      lastSeen: execution.at,
      history,
    };
    this.entries.set(entry.fingerprint, entry);
    return entry;
  }

  private evictLightest(): { weight: number; history: MinuteHistory | undefined } {
    let lightest: Entry | undefined;
    for (const entry of this.entries.values()) if (lightest === undefined || entry.weight < lightest.weight) lightest = entry;
    if (lightest === undefined) return { weight: 0, history: undefined };
    this.entries.delete(lightest.fingerprint);
    this.onEvict?.(snapshot(lightest));
    this.overflow.calls += lightest.calls;
    this.overflow.totalMs += lightest.totalMs;
    this.overflow.rows += lightest.rows;
    this.overflow.errors += lightest.errors;
    this.overflow.evictions += 1;
    return { weight: lightest.weight, history: lightest.history };
  }

  get(fingerprint: string): QueryStats | undefined {
    const entry = this.entries.get(fingerprint);
    return entry === undefined ? undefined : snapshot(entry);
  }

  /** Current top-K, by total time descending (what to look at first). */
  top(): QueryStats[] {
    return [...this.entries.values()].map(snapshot).sort((a, b) => b.totalMs - a.totalMs);
  }

  /** Each entry's buckets that end after `sinceMs`, by fingerprint, read at `nowMs`. */
  histories(nowMs: number, sinceMs?: number): Map<string, HistoryWindow> {
    const histories = new Map<string, HistoryWindow>();
    for (const entry of this.entries.values()) histories.set(entry.fingerprint, entry.history.window(nowMs, reading(entry), sinceMs));
    return histories;
  }

  other(): OverflowStats {
    return { ...this.overflow };
  }

  reset(): void {
    this.entries.clear();
    this.overflow = { calls: 0, totalMs: 0, rows: 0, errors: 0, evictions: 0 };
  }
}
