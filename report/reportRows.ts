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
import type { HeldClientSnapshot, PoolSnapshot } from '../instrumentations/pg/poolRegistry';
import type { ConnectionFinding } from '../instrumentations/pg/connectionFindings';
import type { CallSite } from '../core/callSite';
import type { SampledCallSite } from '../recording/callSites';
import type { RouteStats } from '../recording/routeStatistics';
import type { RedisCommandSummary, RedisServerHistory } from '../recording/redisStatistics';
import { timeShare, type IndexSuggestion } from '../recording/indexSuggestions';
import type { HistoryPoint, HistoryWindow } from '../core/minuteHistory';
import type {
  ReportCache, ReportCacheCandidate, ReportCachePoint, ReportCallSite, ReportConnectionFinding, ReportExplainOutcome, ReportFinding, ReportHeldClient, ReportHistory, ReportIndexSuggestion,
  ReportNPlusOne, ReportParse, ReportPlan, ReportPool, ReportPoolPoint, ReportQuery, ReportRedisCommand, ReportRedisHistory, ReportRedisPoint, ReportRoute, ReportSampledCallSite,
  ReportStatementPoint, ReportStatementRoute,
} from './reportModel';
import { connectionFindingWording } from './connectionFindingWording';

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

const NO_HISTORY: HistoryWindow = { minutes: [], hours: [] };

function reportHistory<Point>(window: HistoryWindow | undefined, point: (bucket: HistoryPoint) => Point): ReportHistory<Point> {
  const { minutes, hours } = window ?? NO_HISTORY;
  return { minutes: minutes.map(point), hours: hours.map(point) };
}

/** A statement bucket: counters (calls, total time, rows, errors) as STATEMENT_HISTORY_SHAPE orders them. */
function statementPoint(bucket: HistoryPoint): ReportStatementPoint {
  const [calls = 0, totalMs = 0, rows = 0, errors = 0] = bucket.counters;
  return { start: iso(bucket.start), calls, totalMs: ms(totalMs), p95Ms: ms(bucket.p95Ms), rows, errors };
}

/** A pool bucket: checkouts, then the peaks (used, pending) as POOL_HISTORY_SHAPE orders them. */
function poolPoint(bucket: HistoryPoint): ReportPoolPoint {
  const [checkouts = 0] = bucket.counters;
  const [peakUsed = 0, peakPending = 0] = bucket.peaks;
  return { start: iso(bucket.start), checkouts, waitP95Ms: ms(bucket.p95Ms), peakUsed, peakPending };
}

/** A Redis bucket: calls and errors as REDIS_HISTORY_SHAPE orders them. */
function redisPoint(bucket: HistoryPoint): ReportRedisPoint {
  const [calls = 0, errors = 0] = bucket.counters;
  return { start: iso(bucket.start), calls, errors, p95Ms: ms(bucket.p95Ms) };
}

function hitRatio(hits: number, misses: number, stale: number): number | null {
  const lookups = hits + misses + stale;
  return lookups === 0 ? null : ratio(hits / lookups);
}

/** A cache bucket: hits, misses, stale as CACHE_HISTORY_SHAPE orders them. */
function cachePoint(bucket: HistoryPoint): ReportCachePoint {
  const [hits = 0, misses = 0, stale = 0] = bucket.counters;
  return { start: iso(bucket.start), hits, misses, stale, hitRatio: hitRatio(hits, misses, stale) };
}

export function reportRedisHistory(history: RedisServerHistory): ReportRedisHistory {
  return { server: history.server, ...reportHistory(history, redisPoint) };
}

export function reportPlan(plan: StoredPlan | undefined): ReportPlan | undefined {
  return plan === undefined ? undefined : { summary: plan.summary, explainedAt: iso(plan.explainedAt), plan: plan.plan };
}

export function reportCallSite(site: CallSite | undefined): ReportCallSite | null {
  return site === undefined ? null : { file: site.file, line: site.line, column: site.column, function: site.function ?? null };
}

export function reportSampledCallSites(sites: readonly SampledCallSite[]): ReportSampledCallSite[] {
  return sites.map(({ site, samples }) => ({ file: site.file, line: site.line, column: site.column, function: site.function ?? null, samples }));
}

/** A ratio of two counts, 0 without a denominator. */
function per(total: number, count: number): number {
  return count === 0 ? 0 : total / count;
}

/** What a route row needs of the statements: their normalized text and sampled call sites. */
export interface StatementLookups {
  readonly normalizedOf: (fingerprint: string) => string | undefined;
  readonly callSitesOf: (fingerprint: string) => readonly SampledCallSite[];
}

export function reportRoute(route: RouteStats, lookups: StatementLookups): ReportRoute {
  return {
    route: route.route,
    requests: route.requests,
    statementsPerRequest: ratio(per(route.statements, route.requests)),
    dbMsPerRequest: ms(per(route.totalMs, route.requests)),
    totalMs: ms(route.totalMs),
    lastSeen: iso(route.lastSeen),
    statements: route.byStatement.map((statement) => ({
      fingerprint: statement.fingerprint,
      query: lookups.normalizedOf(statement.fingerprint) ?? '',
      callsPerRequest: ratio(per(statement.calls, route.requests)),
      msPerRequest: ms(per(statement.totalMs, route.requests)),
      requestShare: ratio(per(statement.requests, route.requests)),
      callSites: reportSampledCallSites(lookups.callSitesOf(statement.fingerprint)),
    })),
  };
}

/** Per statement, the routes that sent it (from the routes' own rows), most time first. */
export function statementRoutes(routes: readonly RouteStats[]): Map<string, ReportStatementRoute[]> {
  const byFingerprint = new Map<string, { row: ReportStatementRoute; totalMs: number }[]>();
  for (const route of routes) {
    for (const statement of route.byStatement) {
      const rows = byFingerprint.get(statement.fingerprint) ?? [];
      rows.push({
        row: { route: route.route, requests: statement.requests, callsPerRequest: ratio(per(statement.calls, route.requests)), msPerRequest: ms(per(statement.totalMs, route.requests)) },
        totalMs: statement.totalMs,
      });
      byFingerprint.set(statement.fingerprint, rows);
    }
  }
  return new Map([...byFingerprint].map(([fingerprint, rows]) => [fingerprint, rows.sort((a, b) => b.totalMs - a.totalMs).map(({ row }) => row)]));
}

export function reportConnectionFinding(finding: ConnectionFinding): ReportConnectionFinding {
  const wording = connectionFindingWording(finding);
  return {
    kind: finding.kind,
    severity: 'warning',
    pool: finding.pool,
    callSite: reportCallSite(finding.site),
    route: finding.route ?? null,
    message: wording.message,
    suggestion: wording.suggestion,
    count: finding.count,
    maxMs: ms(finding.maxMs),
    lastMs: ms(finding.lastMs),
    releasedLate: finding.releasedLate,
    firstSeen: iso(finding.firstSeen),
    lastSeen: iso(finding.lastSeen),
  };
}

export function reportHeldClient(client: HeldClientSnapshot): ReportHeldClient {
  return { pool: client.pool, heldMs: ms(client.heldMs), callSite: reportCallSite(client.site), route: client.route ?? null, leaked: client.leaked };
}

export function reportQuery(stats: QueryStats, history: HistoryWindow | undefined, sites: readonly SampledCallSite[], routes: readonly ReportStatementRoute[]): ReportQuery {
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
    callSites: reportSampledCallSites(sites),
    routes,
    history: reportHistory(history, statementPoint),
  };
}

export function reportFinding(finding: FindingRecord, sites: readonly SampledCallSite[]): ReportFinding {
  const plan = reportPlan(finding.plan);
  return {
    rule: finding.rule,
    severity: finding.severity,
    category: finding.category,
    fingerprint: finding.fingerprint,
    example: finding.example,
    message: finding.message,
    suggestion: finding.suggestion,
    ...(finding.fix === undefined ? {} : { fix: { description: finding.fix.description, statements: finding.fix.statements, outsideTransaction: finding.fix.outsideTransaction } }),
    count: finding.count,
    persistence: finding.persistence,
    firstSeen: iso(finding.firstSeen),
    lastSeen: iso(finding.lastSeen),
    callSites: reportSampledCallSites(sites),
    ...(plan === undefined ? {} : { plan }),
  };
}

export function reportNPlusOne(loop: NPlusOneSummary, sites: readonly SampledCallSite[]): ReportNPlusOne {
  return {
    fingerprint: loop.fingerprint,
    loops: loop.loops,
    maxRepetitions: loop.maxRepetitions,
    maxTotalMs: ms(loop.maxTotalMs),
    query: loop.normalized,
    firstSeen: iso(loop.firstSeen),
    lastSeen: iso(loop.lastSeen),
    routes: loop.routes.map(({ route, loops }) => ({ route, loops })),
    callSites: reportSampledCallSites(sites),
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

export function reportPool(pool: PoolSnapshot, history: HistoryWindow | undefined): ReportPool {
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
    history: reportHistory(history, poolPoint),
  };
}

export function reportRedisCommand(command: RedisCommandSummary): ReportRedisCommand {
  return { server: command.server, database: command.database, command: command.command, calls: command.calls, errors: command.errors, p95Ms: command.p95Ms };
}

export function reportCache(cache: CacheSummary, history: HistoryWindow | undefined): ReportCache {
  const evictions = Object.values(cache.evictions).reduce((sum, count) => sum + count, 0);
  return {
    name: cache.name,
    layer: cache.layer,
    hits: cache.hits,
    misses: cache.misses,
    stale: cache.stale,
    errors: cache.errors,
    hitRatio: hitRatio(cache.hits, cache.misses, cache.stale),
    evictions,
    ...(cache.entries === undefined ? {} : { entries: cache.entries }),
    ...(cache.maxEntries === undefined ? {} : { maxEntries: cache.maxEntries }),
    ...(cache.events === undefined ? {} : { events: { ...cache.events } }),
    ...(cache.breaker === undefined ? {} : { breaker: cache.breaker }),
    history: reportHistory(history, cachePoint),
  };
}

/** What a suggestion's time figures are read from: the statistics' totals since `statsSince`. */
export interface StatementTimes {
  readonly totalMsOf: (fingerprint: string) => number | undefined;
  readonly allStatementsMs: number;
  readonly hours: number;
}

/** Costs to two decimals, as EXPLAIN prints them. */
function cost(value: number): number {
  return Math.round(value * 100) / 100;
}

export function reportIndexSuggestion(suggestion: IndexSuggestion, times: StatementTimes): ReportIndexSuggestion {
  const perHour = (totalMs: number) => ms(totalMs / times.hours);
  const statements = suggestion.statements.map((statement) => {
    const totalMs = times.totalMsOf(statement.fingerprint);
    return {
      fingerprint: statement.fingerprint,
      query: statement.normalized,
      costBefore: cost(statement.costBefore),
      costAfter: cost(statement.costAfter),
      msPerHour: totalMs === undefined ? null : perHour(totalMs),
    };
  });
  const sum = (pick: (statement: (typeof suggestion.statements)[number]) => number) => suggestion.statements.reduce((total, statement) => total + pick(statement), 0);
  const totalMsOf = (fingerprint: string) => times.totalMsOf(fingerprint) ?? 0;
  return {
    ddl: suggestion.ddl,
    table: suggestion.table,
    verified: suggestion.method === 'hypopg',
    costBefore: cost(sum((statement) => statement.costBefore)),
    costAfter: cost(sum((statement) => statement.costAfter)),
    msPerHour: perHour(sum((statement) => totalMsOf(statement.fingerprint))),
    timeShare: ratio(timeShare(suggestion, totalMsOf, times.allStatementsMs)),
    statements,
    firstSeen: iso(suggestion.firstSeen),
    lastSeen: iso(suggestion.lastSeen),
  };
}
