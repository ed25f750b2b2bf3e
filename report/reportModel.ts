/**
 * The JSON report served at `GET /querylens/api/report` (schema documented in
 * docs/report.md). Times are ISO 8601 strings, durations milliseconds rounded
 * to microseconds. Statement texts are normalized (constants as `$n`); no
 * literal parameter value appears anywhere in it.
 */
import type { ExplainOutcome } from '../recording/explainRequests';
import type { CacheCandidate } from '../recording/detectors/cacheCandidates';
import type { FindingRecord } from '../recording/findingsStore';
import type { NPlusOneSummary } from '../recording/detectors/nPlusOneDetector';
import type { QueryStats } from '../recording/queryStatistics';
import type { StatementCacheCounts } from '../recording/statementCache';
import type { PoolSnapshot } from '../instrumentations/pg/poolRegistry';
import type { RedisCommandSummary } from '../instrumentations/ioredis/recorder';

export const REPORT_SCHEMA_VERSION = 1;

/** A top-K row: the statistics with the normalized text as `query` and ISO times. */
export type ReportQuery = Omit<QueryStats, 'normalized' | 'firstSeen' | 'lastSeen'> & {
  readonly query: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
};

export interface ReportPlan {
  readonly summary: string;
  readonly explainedAt: string;
  /** `EXPLAIN (FORMAT JSON)` output with constants replaced by `?`. */
  readonly plan: unknown;
}

/** `count`: executions flagged (`sticky`) or occurrences (`event`). */
export type ReportFinding = Omit<FindingRecord, 'firstSeen' | 'lastSeen' | 'plan'> & {
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly plan?: ReportPlan;
};

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
  readonly explain: { readonly outcome: ExplainOutcome; readonly reason?: string } | undefined;
  readonly plan: ReportPlan | undefined;
}

export type ReportNPlusOne = Omit<NPlusOneSummary, 'normalized' | 'firstSeen' | 'lastSeen'> & {
  readonly query: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
};

export type ReportCacheCandidate = Omit<CacheCandidate, 'normalized'> & { readonly query: string };

/** A live `pg.Pool`, read when the report is built (`pending`: callers waiting for a connection). */
export type ReportPool = PoolSnapshot;

/** Redis commands per server and database since start, busiest first. */
export type ReportRedisCommand = RedisCommandSummary;

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
  readonly explain: Readonly<Record<ExplainOutcome, number>>;
  /** Statement cache counters; null when the lead's analyzer is not wired. */
  readonly parse: StatementCacheCounts | null;
  readonly slowQueryLog: { readonly destination: string; readonly written: number; readonly dropped: number };
  readonly pools: readonly ReportPool[];
  readonly redisCommands: readonly ReportRedisCommand[];
  readonly caches: readonly ReportCache[];
}
