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

/**
 * Time buckets: one per minute for the last hour and one per hour for the
 * last day, oldest first, the open minute and hour last (counted so far).
 * Buckets with nothing counted are left out; `start` is when one begins.
 */
export interface ReportHistory<Point> {
  readonly minutes: readonly Point[];
  readonly hours: readonly Point[];
}

export interface ReportStatementPoint {
  readonly start: string;
  readonly calls: number;
  readonly totalMs: number;
  /** From the bucket's own latency buckets, never above the statement's `maxMs`. */
  readonly p95Ms: number;
  readonly rows: number;
  readonly errors: number;
}

export interface ReportPoolPoint {
  readonly start: string;
  readonly checkouts: number;
  readonly waitP95Ms: number;
  /** The most connections in use and callers waiting among the samples of the bucket (one every 5 s). */
  readonly peakUsed: number;
  readonly peakPending: number;
}

export interface ReportRedisPoint {
  readonly start: string;
  readonly calls: number;
  readonly errors: number;
  readonly p95Ms: number;
}

export interface ReportCachePoint {
  readonly start: string;
  readonly hits: number;
  readonly misses: number;
  readonly stale: number;
  /** hits / (hits + misses + stale) in the bucket; null without lookups. */
  readonly hitRatio: number | null;
}

/** Where in the app's code: path relative to the app's root, as V8 (or, with --enable-source-maps, the source map) reports it. */
export interface ReportCallSite {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** null: an anonymous function or top-level code. */
  readonly function: string | null;
}

/** A call site the statement was sent from, with the executions sampled there. */
export interface ReportSampledCallSite extends ReportCallSite {
  readonly samples: number;
}

/** A route that sent the statement, per request of that route. */
export interface ReportStatementRoute {
  readonly route: string;
  readonly requests: number;
  readonly callsPerRequest: number;
  readonly msPerRequest: number;
}

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
  /** Sampled call sites (at most 4), most sampled first. */
  readonly callSites: readonly ReportSampledCallSite[];
  /** Routes whose requests sent it, most time first. */
  readonly routes: readonly ReportStatementRoute[];
  readonly history: ReportHistory<ReportStatementPoint>;
}

export interface ReportPlan {
  readonly summary: string;
  readonly explainedAt: string;
  /** `EXPLAIN (FORMAT JSON)` output with constants replaced by `?`. */
  readonly plan: unknown;
}

/** A rewrite of the flagged statement, ready to run: names as the statement wrote them, no literal value. */
export interface ReportFix {
  readonly description: string;
  /** The statements that replace the flagged one, in order, without semicolons. */
  readonly statements: readonly string[];
  /** One of them cannot run inside a transaction block. */
  readonly outsideTransaction: boolean;
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
  /** Where the rule has a safe rewrite of the statement. */
  readonly fix?: ReportFix;
  /** Executions flagged (`sticky`) or occurrences (`event`). */
  readonly count: number;
  readonly persistence: 'sticky' | 'event';
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** The statement's sampled call sites, most sampled first. */
  readonly callSites: readonly ReportSampledCallSite[];
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
  /** Route and call site of the last slow execution (its own site when sampled, else the statement's most sampled); null when unknown. */
  readonly lastRoute: string | null;
  readonly lastCallSite: ReportCallSite | null;
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
  /** Routes its loops ran on, most loops first (at most 5). */
  readonly routes: readonly { readonly route: string; readonly loops: number }[];
  readonly callSites: readonly ReportSampledCallSite[];
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

/** One statement an index suggestion helps. */
export interface ReportIndexStatement {
  readonly fingerprint: string;
  readonly query: string;
  /** The statement's estimated total cost (planner units) without and with the index. */
  readonly costBefore: number;
  readonly costAfter: number;
  /** Time the service spent in the statement per hour since `statsSince`; null when it left the top-K. */
  readonly msPerHour: number | null;
}

/** An index the advisor suggests: one per CREATE INDEX statement, with every statement it helps. */
export interface ReportIndexSuggestion {
  /** `CREATE INDEX CONCURRENTLY ON … (…)`, ready to run outside a transaction block. */
  readonly ddl: string;
  readonly table: string;
  /** true: HypoPG costed a hypothetical index; false: estimated from pg_stats (unverified). */
  readonly verified: boolean;
  /** Sums over `statements`. */
  readonly costBefore: number;
  readonly costAfter: number;
  readonly msPerHour: number;
  /** Share of the service's statement time spent in `statements` since `statsSince` (0 to 1). */
  readonly timeShare: number;
  readonly statements: readonly ReportIndexStatement[];
  readonly firstSeen: string;
  readonly lastSeen: string;
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
  readonly history: ReportHistory<ReportPoolPoint>;
}

/** One statement of a route. */
export interface ReportRouteStatement {
  readonly fingerprint: string;
  readonly query: string;
  readonly callsPerRequest: number;
  readonly msPerRequest: number;
  /** Share of the route's requests that sent it (0 to 1). */
  readonly requestShare: number;
  readonly callSites: readonly ReportSampledCallSite[];
}

/** An HTTP route: the framework's template (`GET /customers/:id`), else the method and the normalized path, or `other`. */
export interface ReportRoute {
  readonly route: string;
  readonly requests: number;
  readonly statementsPerRequest: number;
  readonly dbMsPerRequest: number;
  readonly totalMs: number;
  readonly lastSeen: string;
  /** Its statements, most time first (at most 20). */
  readonly statements: readonly ReportRouteStatement[];
}

export type ReportConnectionFindingKind = 'pool-client-leak' | 'long-transaction' | 'idle-in-transaction';

/** How the app holds connections: a leaked pool client, a long transaction, a client idle in a transaction. */
export interface ReportConnectionFinding {
  readonly kind: ReportConnectionFindingKind;
  readonly severity: Severity;
  /** The pool's name; `none` for a client the app made itself. */
  readonly pool: string;
  /** The checkout's call site (leaks) or the transaction's first sampled statement's; null when none was sampled. */
  readonly callSite: ReportCallSite | null;
  readonly route: string | null;
  readonly message: string;
  readonly suggestion: string;
  readonly count: number;
  /** Longest and latest: time held (leaks), open (long transactions), idle (idle in transaction). */
  readonly maxMs: number;
  readonly lastMs: number;
  /** Leaks: of `count`, the clients released after they were reported. */
  readonly releasedLate: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

/** A pool client checked out right now, held longest first. */
export interface ReportHeldClient {
  readonly pool: string;
  readonly heldMs: number;
  readonly callSite: ReportCallSite | null;
  readonly route: string | null;
  /** Held past QUERYLENS_POOL_LEAK_MS. */
  readonly leaked: boolean;
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
  /** A tiered cache's memory layer: its events since start (`querylens_cache_events_total`), those counted only; omitted when none. */
  readonly events?: Readonly<Record<string, number>>;
  /** A tiered cache's Redis layer: its circuit breaker now (the worst of the live caches of the name); omitted without one. */
  readonly breaker?: 'closed' | 'half_open' | 'open';
  readonly history: ReportHistory<ReportCachePoint>;
}

/** Redis commands of one server over time, all operations together. */
export interface ReportRedisHistory extends ReportHistory<ReportRedisPoint> {
  readonly server: string;
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
    /** QUERYLENS_INDEX_ADVISOR: `auto`, `hypopg` or `off`. */
    readonly indexAdvisor: 'auto' | 'hypopg' | 'off';
    /** QUERYLENS_CALL_SITES, QUERYLENS_POOL_LEAK_MS, QUERYLENS_LONG_TRANSACTION_MS, QUERYLENS_IDLE_IN_TRANSACTION_MS. */
    readonly callSites: boolean;
    readonly poolLeakMs: number;
    readonly longTransactionMs: number;
    readonly idleInTransactionMs: number;
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
  /** The index advisor's suggestions, those helping the most statements first. */
  readonly indexSuggestions: readonly ReportIndexSuggestion[];
  readonly explain: Readonly<Record<ReportExplainOutcome, number>>;
  /** Statement cache counters; null when no statement cache is wired (a report built in tests). */
  readonly parse: ReportParse | null;
  readonly slowQueryLog: { readonly destination: string; readonly written: number; readonly dropped: number };
  readonly pools: readonly ReportPool[];
  /** Routes by database time. */
  readonly routes: readonly ReportRoute[];
  /** Most recent first; each ages out an hour after it was last seen. */
  readonly connectionFindings: readonly ReportConnectionFinding[];
  /** The pool clients checked out now, held longest first (at most 10). */
  readonly heldClients: readonly ReportHeldClient[];
  readonly redisCommands: readonly ReportRedisCommand[];
  readonly caches: readonly ReportCache[];
  readonly history: {
    /** The report's `?since=`: buckets that ended before it are left out; null: all that are kept. */
    readonly since: string | null;
    readonly minutesKept: number;
    readonly hoursKept: number;
    readonly redis: readonly ReportRedisHistory[];
  };
}
