/**
 * The JSON report served at `GET /querylens/api/report` (schema documented in
 * docs/report.md). Times are ISO 8601 strings, durations milliseconds rounded
 * to microseconds. Statement texts are normalized (constants as `$n`); no
 * literal parameter value appears anywhere in it.
 *
 * These types are the published schema, written out field by field: they
 * import nothing from capture or recording, so renaming a field there fails
 * the build at the conversion (reportRows.ts) instead of changing the report.
 */
import type { RuleCategory, Severity } from '../core/statementAnalysis';

export const REPORT_SCHEMA_VERSION = 1;

export type ReportExplainOutcome = 'ok' | 'skipped' | 'error' | 'timeout';

/** A top-K row: the statistics with the normalized text as `query` and ISO times. */
export interface ReportQuery {
  readonly fingerprint: string;
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
  readonly query: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

export interface ReportPlan {
  readonly summary: string;
  readonly explainedAt: string;
  /** `EXPLAIN (FORMAT JSON)` output with constants replaced by `?`. */
  readonly plan: unknown;
}

export interface ReportFinding {
  readonly rule: string;
  readonly severity: Severity;
  readonly category: RuleCategory;
  readonly fingerprint: string;
  /** Normalized text of the statement (no literal values). */
  readonly example: string;
  readonly message: string;
  readonly suggestion: string;
  /** Executions flagged (`sticky`) or occurrences (`event`). */
  readonly count: number;
  readonly persistence: 'sticky' | 'event';
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly plan?: ReportPlan;
}

export interface ReportSlowQuery {
  readonly fingerprint: string;
  readonly query: string;
  /** Executions over the slow threshold. */
  readonly slowExecutions: number;
  /** All executions of the statement, when it is still in the top-K. */
  readonly calls: number | undefined;
  readonly meanMs: number | undefined;
  readonly p95Ms: number | undefined;
  readonly maxMs: number;
  readonly lastMs: number;
  readonly lastSeen: string;
  readonly lastTraceId: string | undefined;
  readonly findings: readonly string[];
  readonly explain: { readonly outcome: ReportExplainOutcome; readonly reason?: string } | undefined;
  readonly plan: ReportPlan | undefined;
}

export interface ReportNPlusOne {
  readonly fingerprint: string;
  /** Units of work (requests, spans) in which the loop was detected. */
  readonly loops: number;
  /** Most executions of the statement in one unit of work. */
  readonly maxRepetitions: number;
  /** Most time the repetitions took in one unit of work. */
  readonly maxTotalMs: number;
  readonly query: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

export interface ReportCacheCandidate {
  readonly fingerprint: string;
  readonly calls: number;
  readonly repeats: number;
  readonly distinctParameterSets: number;
  readonly sampleFull: boolean;
  readonly estimatedHitRate: number;
  readonly meanMs: number;
  readonly estimatedTimeSavedMs: number;
  readonly query: string;
  /** The tables it reads. */
  readonly tables: readonly string[];
  /** Writes per minute this service made to those tables, as the agent saw them. */
  readonly tableWritesPerMinute: number;
  /** Every write of this service the agent saw was attributed to its tables: `cache.query` would drop the entry on each (other services' writes are invisible). */
  readonly coveredByWriteInvalidation: boolean;
  readonly recommendedTtlMs: number;
  /** A `cache.query` call that caches it. */
  readonly code: string;
}

/** A live `pg.Pool`, read when the report is built (`pending`: callers waiting for a connection). */
export interface ReportPool {
  readonly name: string;
  readonly total: number;
  readonly idle: number;
  readonly used: number;
  readonly pending: number;
  readonly max: number;
  readonly min: number;
  /** Checkouts since start, and their 95th percentile wait in milliseconds. */
  readonly checkouts: number;
  readonly waitP95Ms: number;
}

/** Redis commands per server and database since start, busiest first. */
export interface ReportRedisCommand {
  /** `host:port`, a socket path, or `cluster`. */
  readonly server: string;
  readonly database: number;
  readonly command: string;
  readonly calls: number;
  readonly errors: number;
  readonly p95Ms: number;
}

/** The statement cache's counters. */
export interface ReportParse {
  readonly hits: number;
  readonly misses: number;
  readonly unparseable: number;
  readonly overlong: number;
  readonly notReady: number;
  readonly pending: number;
  readonly pendingDropped: number;
  readonly deferred: number;
  readonly evictions: number;
  readonly entries: number;
  readonly textChars: number;
}

/** One cache name in one layer (`memory`: lru-cache or a tiered cache's memory; `redis`: a tiered cache's Redis layer or a Redis key pattern read as a cache). */
export interface ReportCache {
  readonly name: string;
  readonly layer: 'memory' | 'redis';
  readonly hits: number;
  readonly misses: number;
  readonly stale: number;
  readonly errors: number;
  /** hits / (hits + misses + stale); null before the first lookup. */
  readonly hitRatio: number | null;
  /** Evictions of every reason (lru-cache dispose reasons: evict, set, delete, expire, fetch, other). */
  readonly evictions: number;
  /** Memory layer: entries held and capacity (0: not bounded by count); omitted for Redis. */
  readonly entries?: number;
  readonly maxEntries?: number;
}

export interface QuerylensReport {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  readonly generatedAt: string;
  readonly service: { readonly name: string; readonly agentVersion: string };
  readonly startedAt: string;
  readonly uptimeSeconds: number;
  /** Since when the statement statistics run: the start, or the last `reset-stats` action. */
  readonly statsSince: string;
  readonly thresholds: {
    readonly slowQueryMs: number;
    readonly nPlusOne: number;
    readonly nPlusOneMinMs: number;
    readonly maxQueries: number;
    readonly unboundedRows: number;
    readonly explain: boolean;
  };
  readonly queries: {
    /** 95th percentile of all executions since `statsSince`, top-K and other alike. */
    readonly p95Ms: number;
    readonly top: readonly ReportQuery[];
    readonly other: { readonly calls: number; readonly totalMs: number; readonly rows: number; readonly errors: number; readonly evictions: number };
  };
  readonly findings: readonly ReportFinding[];
  readonly slowQueries: readonly ReportSlowQuery[];
  readonly nPlusOne: readonly ReportNPlusOne[];
  readonly cacheCandidates: readonly ReportCacheCandidate[];
  readonly explain: Readonly<Record<ReportExplainOutcome, number>>;
  /** Statement cache counters; null when no statement cache is wired (a report built in tests). */
  readonly parse: ReportParse | null;
  readonly slowQueryLog: { readonly destination: string; readonly written: number; readonly dropped: number };
  readonly pools: readonly ReportPool[];
  readonly redisCommands: readonly ReportRedisCommand[];
  readonly caches: readonly ReportCache[];
}
