/**
 * The one seam between what capture and recording hold and what the report
 * publishes: each function copies the published fields by name, rounds
 * durations and turns epoch milliseconds into ISO strings. A field renamed
 * upstream fails to compile here; a field added upstream stays out of the
 * report until it is added to reportModel.ts and docs/report.md.
 */
import type { StoredPlan, FindingRecord } from '../recording/findingsStore';
import type { QueryStats } from '../recording/queryStatistics';
import type { NPlusOneSummary } from '../recording/detectors/nPlusOneDetector';
import type { AdvisedCacheCandidate } from '../recording/queryRecorder';
import type { StatementCacheCounts } from '../recording/statementCache';
import type { ExplainOutcome } from '../recording/explainRequests';
import type { CacheSummary } from '../instrumentations/cacheTelemetry/cacheStatistics';
import type { PoolSnapshot } from '../instrumentations/pg/poolRegistry';
import type { RedisCommandSummary } from '../recording/redisStatistics';
import type {
  ReportCache, ReportCacheCandidate, ReportExplainOutcome, ReportFinding, ReportNPlusOne, ReportParse, ReportPlan, ReportPool, ReportQuery, ReportRedisCommand,
} from './reportModel';

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Milliseconds to microsecond precision: enough to read, short to serve. */
export function ms(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** A ratio to three decimals. */
function ratio(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export function reportPlan(plan: StoredPlan | undefined): ReportPlan | undefined {
  return plan === undefined ? undefined : { summary: plan.summary, explainedAt: iso(plan.explainedAt), plan: plan.plan };
}

export function reportQuery(stats: QueryStats): ReportQuery {
  return {
    fingerprint: stats.fingerprint,
    operation: stats.operation,
    collection: stats.collection,
    tables: stats.tables,
    calls: stats.calls,
    totalMs: ms(stats.totalMs),
    meanMs: ms(stats.meanMs),
    maxMs: ms(stats.maxMs),
    p50Ms: ms(stats.p50Ms),
    p95Ms: ms(stats.p95Ms),
    p99Ms: ms(stats.p99Ms),
    rows: stats.rows,
    errors: stats.errors,
    errorsByCode: stats.errorsByCode,
    query: stats.normalized,
    firstSeen: iso(stats.firstSeen),
    lastSeen: iso(stats.lastSeen),
  };
}

export function reportFinding(finding: FindingRecord): ReportFinding {
  const plan = reportPlan(finding.plan);
  return {
    rule: finding.rule,
    severity: finding.severity,
    category: finding.category,
    fingerprint: finding.fingerprint,
    example: finding.example,
    message: finding.message,
    suggestion: finding.suggestion,
    count: finding.count,
    persistence: finding.persistence,
    firstSeen: iso(finding.firstSeen),
    lastSeen: iso(finding.lastSeen),
    ...(plan === undefined ? {} : { plan }),
  };
}

export function reportNPlusOne(loop: NPlusOneSummary): ReportNPlusOne {
  return {
    fingerprint: loop.fingerprint,
    loops: loop.loops,
    maxRepetitions: loop.maxRepetitions,
    maxTotalMs: ms(loop.maxTotalMs),
    query: loop.normalized,
    firstSeen: iso(loop.firstSeen),
    lastSeen: iso(loop.lastSeen),
  };
}

export function reportCacheCandidate(candidate: AdvisedCacheCandidate): ReportCacheCandidate {
  return {
    fingerprint: candidate.fingerprint,
    calls: candidate.calls,
    repeats: candidate.repeats,
    distinctParameterSets: candidate.distinctParameterSets,
    sampleFull: candidate.sampleFull,
    estimatedHitRate: ratio(candidate.estimatedHitRate),
    meanMs: ms(candidate.meanMs),
    estimatedTimeSavedMs: ms(candidate.estimatedTimeSavedMs),
    query: candidate.normalized,
    tables: candidate.tables,
    tableWritesPerMinute: ratio(candidate.tableWritesPerMinute),
    coveredByWriteInvalidation: candidate.coveredByWriteInvalidation,
    recommendedTtlMs: candidate.recommendedTtlMs,
    code: candidate.code,
  };
}

export function reportExplainOutcomes(counts: Readonly<Record<ExplainOutcome, number>>): Record<ReportExplainOutcome, number> {
  return { ok: counts.ok, skipped: counts.skipped, error: counts.error, timeout: counts.timeout };
}

export function reportParse(counts: StatementCacheCounts): ReportParse {
  return {
    hits: counts.hits,
    misses: counts.misses,
    unparseable: counts.unparseable,
    overlong: counts.overlong,
    notReady: counts.notReady,
    pending: counts.pending,
    pendingDropped: counts.pendingDropped,
    deferred: counts.deferred,
    evictions: counts.evictions,
    entries: counts.entries,
    textChars: counts.textChars,
  };
}

export function reportPool(pool: PoolSnapshot): ReportPool {
  return {
    name: pool.name,
    total: pool.total,
    idle: pool.idle,
    used: pool.used,
    pending: pool.pending,
    max: pool.max,
    min: pool.min,
    checkouts: pool.checkouts,
    waitP95Ms: pool.waitP95Ms,
  };
}

export function reportRedisCommand(command: RedisCommandSummary): ReportRedisCommand {
  return { server: command.server, database: command.database, command: command.command, calls: command.calls, errors: command.errors, p95Ms: command.p95Ms };
}

export function reportCache(cache: CacheSummary): ReportCache {
  const lookups = cache.hits + cache.misses + cache.stale;
  const evictions = Object.values(cache.evictions).reduce((sum, count) => sum + count, 0);
  return {
    name: cache.name,
    layer: cache.layer,
    hits: cache.hits,
    misses: cache.misses,
    stale: cache.stale,
    errors: cache.errors,
    hitRatio: lookups === 0 ? null : ratio(cache.hits / lookups),
    evictions,
    ...(cache.entries === undefined ? {} : { entries: cache.entries }),
    ...(cache.maxEntries === undefined ? {} : { maxEntries: cache.maxEntries }),
  };
}
