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
 * entry is reused, history and all (started over), by the entry that replaces it.
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

/**
 * One tracked fingerprint. Mutable so that an evicted entry is reused for the
 * fingerprint that replaces it: under a flood of one-off statements entries
 * live for a few hundred admissions, long enough to outlive a young-generation
 * collection, and a new object per admission made the heap's old space (and
 * the process's RSS) grow with the number of distinct statements seen.
 */
interface Entry {
  fingerprint: string;
  normalized: string;
  operation: string;
  collection: string;
  tables: readonly string[];
  weight: number;
  calls: number;
  totalMs: number;
  maxMs: number;
  rows: number;
  errors: number;
  /** Made at the entry's first error: most statements never fail. */
  errorsByCode: Map<string, number> | undefined;
  readonly buckets: number[];
  firstSeen: number;
  lastSeen: number;
  readonly history: MinuteHistory;
}

/** What an entry had counted when it left the table. */
export interface RetiredQuery {
  readonly fingerprint: string;
  readonly calls: number;
  readonly totalMs: number;
  readonly rows: number;
  readonly errors: number;
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
    errorsByCode: entry.errorsByCode === undefined ? {} : Object.fromEntries(entry.errorsByCode),
    firstSeen: entry.firstSeen,
    lastSeen: entry.lastSeen,
  };
}

export class QueryStatistics {
  private readonly entries = new Map<string, Entry>();
  private overflow = { calls: 0, totalMs: 0, rows: 0, errors: 0, evictions: 0 };

  /** `onEvict` sees each entry's final totals as it leaves the table (metrics keep its series). */
  constructor(readonly capacity: number, private readonly onEvict?: (evicted: RetiredQuery) => void) {
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
      const errorsByCode = entry.errorsByCode ??= new Map();
      const code = errorsByCode.has(execution.errorCode) || errorsByCode.size < MAX_ERROR_CODES_PER_QUERY
        ? execution.errorCode
        : OTHER;
      errorsByCode.set(code, (errorsByCode.get(code) ?? 0) + 1);
    }
  }

  private admit(execution: QueryExecution): Entry {
    const entry = this.entries.size >= this.capacity ? this.evictLightest() : undefined;
    if (entry === undefined) return this.add(execution);
    entry.fingerprint = execution.fingerprint;
    entry.normalized = execution.normalized;
    entry.operation = execution.operation;
    entry.collection = execution.collection;
    entry.tables = execution.tables;
    // The weight stays: the newcomer starts at the evicted entry's weight (space-saving).
    entry.calls = 0;
    entry.totalMs = 0;
    entry.maxMs = 0;
    entry.rows = 0;
    entry.errors = 0;
    entry.errorsByCode = undefined;
    entry.buckets.fill(0);
    entry.firstSeen = execution.at;
    entry.lastSeen = execution.at;
    entry.history.start(minuteOf(execution.at), NOTHING_COUNTED);
    this.entries.set(entry.fingerprint, entry);
    return entry;
  }

  /** A new entry, while the table has room. */
  private add(execution: QueryExecution): Entry {
    const history = new MinuteHistory(STATEMENT_HISTORY_SHAPE);
    history.start(minuteOf(execution.at), NOTHING_COUNTED);
    const entry: Entry = {
      fingerprint: execution.fingerprint,
      normalized: execution.normalized,
      operation: execution.operation,
      collection: execution.collection,
      tables: execution.tables,
      weight: 0,
      calls: 0,
      totalMs: 0,
      maxMs: 0,
      rows: 0,
      errors: 0,
      errorsByCode: undefined,
      buckets: emptyBuckets(),
      firstSeen: execution.at,
      lastSeen: execution.at,
      history,
    };
    this.entries.set(entry.fingerprint, entry);
    return entry;
  }

  /** Removes the lightest entry, its totals moved to `other`, and returns it for reuse. */
  private evictLightest(): Entry | undefined {
    let lightest: Entry | undefined;
    for (const entry of this.entries.values()) if (lightest === undefined || entry.weight < lightest.weight) lightest = entry;
    if (lightest === undefined) return undefined;
    this.entries.delete(lightest.fingerprint);
    this.onEvict?.({ fingerprint: lightest.fingerprint, calls: lightest.calls, totalMs: lightest.totalMs, rows: lightest.rows, errors: lightest.errors });
    this.overflow.calls += lightest.calls;
    this.overflow.totalMs += lightest.totalMs;
    this.overflow.rows += lightest.rows;
    this.overflow.errors += lightest.errors;
    this.overflow.evictions += 1;
    return lightest;
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
