/**
 * Builds the report from the recorder's current state. Pure: everything it
 * reads comes in `sources`, so it can be tested without a server or a clock.
 */
import type { QueryRecorder } from '../recording/queryRecorder';
import type { RecordingSettings } from '../recording/recordingSettings';
import { SLOW_QUERY_RULE } from '../recording/slowQueryFinding';
import type { StatementCacheCounts } from '../recording/statementCache';
import type { CacheHistory, CacheSummary } from '../instrumentations/cacheTelemetry/cacheStatistics';
import type { HeldClientSnapshot, PoolHistory, PoolSnapshot } from '../instrumentations/pg/poolRegistry';
import type { ConnectionFinding } from '../instrumentations/pg/connectionFindings';
import { CONNECTION_DEFAULTS } from '../instrumentations/pg/connectionDefaults';
import type { RedisCommandSummary, RedisServerHistory } from '../recording/redisStatistics';
import { HOURS_KEPT, MINUTES_KEPT } from '../core/minuteHistory';
import { REPORT_SCHEMA_VERSION, type QuerylensReport } from './reportModel';
import {
  iso, ms, reportCache, reportCacheCandidate, reportCallSite, reportConnectionFinding, reportExplainOutcomes, reportFinding, reportHeldClient, reportIndexSuggestion, reportNPlusOne, reportParse,
  reportPlan, reportPool, reportQuery, reportRedisCommand, reportRedisHistory, reportRoute, statementRoutes,
} from './reportRows';

/** What capture was told (agent/config.ts): call sites on or off and the connection thresholds. */
export interface CaptureSettings {
  readonly callSites: boolean;
  readonly poolLeakMs: number;
  readonly longTransactionMs: number;
  readonly idleInTransactionMs: number;
}

const DEFAULT_CAPTURE: CaptureSettings = { callSites: true, ...CONNECTION_DEFAULTS };

export interface ReportSources {
  readonly serviceName: string;
  readonly agentVersion: string;
  /** ms since epoch */
  readonly startedAt: number;
  readonly now: number;
  readonly config: RecordingSettings;
  /** Default: call sites on, the default thresholds. */
  readonly capture?: CaptureSettings;
  readonly recorder: Omit<QueryRecorder, 'onQuery' | 'onRequestEnd' | 'reset' | 'settled'>;
  readonly parse?: StatementCacheCounts;
  readonly slowQueryLog?: { readonly destination: string; stats(): { readonly written: number; readonly dropped: number } };
  /** ms since epoch of the last statistics reset; default `startedAt`. */
  readonly statsSince?: number;
  readonly pools?: readonly PoolSnapshot[];
  readonly heldClients?: readonly HeldClientSnapshot[];
  readonly connectionFindings?: readonly ConnectionFinding[];
  readonly redisCommands?: readonly RedisCommandSummary[];
  /** `cacheSummaries()` of the cache instrumentation. */
  readonly caches?: readonly CacheSummary[];
  /** ms since epoch: history buckets that ended before it are left out (the report's `?since=`). */
  readonly historySince?: number;
  /** Read with `now` and `historySince`, like the statements' history. */
  readonly poolHistories?: readonly PoolHistory[];
  readonly redisHistories?: readonly RedisServerHistory[];
  readonly cacheHistories?: readonly CacheHistory[];
}

export function buildReport(sources: ReportSources): QuerylensReport {
  const { recorder } = sources;
  const top = recorder.topQueries();
  const queryHistories = recorder.queryHistories(sources.now, sources.historySince);
  const poolHistories = new Map((sources.poolHistories ?? []).map((history) => [history.name, history]));
  const cacheHistories = new Map((sources.cacheHistories ?? []).map((history) => [`${history.layer}\u0000${history.name}`, history]));
  const statsByFingerprint = new Map(top.map((query) => [query.fingerprint, query]));
  const findings = recorder.findings();
  const rulesByFingerprint = new Map<string, string[]>();
  const slowFindings = new Map<string, (typeof findings)[number]>();
  for (const finding of findings) {
    const rules = rulesByFingerprint.get(finding.fingerprint) ?? [];
    rules.push(finding.rule);
    rulesByFingerprint.set(finding.fingerprint, rules);
    if (finding.rule === SLOW_QUERY_RULE) slowFindings.set(finding.fingerprint, finding);
  }
  const other = recorder.otherQueries();
  const routes = recorder.routes();
  const routesByFingerprint = statementRoutes(routes);
  const sitesOf = (fingerprint: string) => recorder.callSitesOf(fingerprint);
  const normalizedOf = (fingerprint: string) => statsByFingerprint.get(fingerprint)?.normalized;
  const capture = sources.capture ?? DEFAULT_CAPTURE;
  const statsSince = sources.statsSince ?? sources.startedAt;
  const times = {
    totalMsOf: (fingerprint: string) => statsByFingerprint.get(fingerprint)?.totalMs,
    allStatementsMs: top.reduce((sum, query) => sum + query.totalMs, other.totalMs),
    // At least a minute: a rate over the first seconds would extrapolate a single execution into an hour's worth.
    hours: Math.max(sources.now - statsSince, 60_000) / 3_600_000,
  };
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: iso(sources.now),
    service: { name: sources.serviceName, agentVersion: sources.agentVersion },
    startedAt: iso(sources.startedAt),
    uptimeSeconds: Math.max(0, Math.round((sources.now - sources.startedAt) / 1000)),
    statsSince: iso(statsSince),
    thresholds: {
      slowQueryMs: sources.config.slowQueryMs,
      nPlusOne: sources.config.nPlusOneThreshold,
      nPlusOneMinMs: sources.config.nPlusOneMinMs,
      maxQueries: sources.config.maxQueries,
      unboundedRows: sources.config.unboundedRows,
      explain: sources.config.explain,
      indexAdvisor: sources.config.indexAdvisor,
      callSites: capture.callSites,
      poolLeakMs: capture.poolLeakMs,
      longTransactionMs: capture.longTransactionMs,
      idleInTransactionMs: capture.idleInTransactionMs,
    },
    queries: {
      p95Ms: ms(recorder.overallP95Ms()),
      top: top.map((query) => reportQuery(query, queryHistories.get(query.fingerprint), sitesOf(query.fingerprint), routesByFingerprint.get(query.fingerprint) ?? [])),
      other: { calls: other.calls, totalMs: ms(other.totalMs), rows: other.rows, errors: other.errors, evictions: other.evictions },
    },
    findings: findings.map((finding) => reportFinding(finding, sitesOf(finding.fingerprint))),
    slowQueries: recorder.slowQueries().map((slow) => {
      const stats = statsByFingerprint.get(slow.fingerprint);
      const finding = slowFindings.get(slow.fingerprint);
      return {
        fingerprint: slow.fingerprint,
        query: finding?.example ?? stats?.normalized ?? '',
        slowExecutions: finding?.count ?? 0,
        calls: stats?.calls,
        meanMs: stats === undefined ? undefined : ms(stats.meanMs),
        p95Ms: stats === undefined ? undefined : ms(stats.p95Ms),
        maxMs: ms(slow.maxDurationMs),
        lastMs: ms(slow.lastDurationMs),
        lastSeen: iso(slow.lastSeen),
        lastTraceId: slow.lastTraceId,
        lastRoute: slow.lastRoute ?? null,
        lastCallSite: reportCallSite(slow.lastCallSite),
        findings: rulesByFingerprint.get(slow.fingerprint) ?? [],
        explain: slow.explain,
        plan: reportPlan(finding?.plan),
      };
    }),
    nPlusOne: recorder.nPlusOneLoops().map((loop) => reportNPlusOne(loop, sitesOf(loop.fingerprint))),
    cacheCandidates: recorder.cacheCandidates().map(reportCacheCandidate),
    indexSuggestions: recorder.indexSuggestions().map((suggestion) => reportIndexSuggestion(suggestion, times)),
    explain: reportExplainOutcomes(recorder.explainOutcomes()),
    parse: sources.parse === undefined ? null : reportParse(sources.parse),
    slowQueryLog: sources.slowQueryLog === undefined
      ? { destination: 'off', written: 0, dropped: 0 }
      : { destination: sources.slowQueryLog.destination, ...sources.slowQueryLog.stats() },
    pools: (sources.pools ?? []).map((pool) => reportPool(pool, poolHistories.get(pool.name))),
    routes: routes.map((route) => reportRoute(route, { normalizedOf, callSitesOf: sitesOf })),
    connectionFindings: (sources.connectionFindings ?? []).map(reportConnectionFinding),
    heldClients: (sources.heldClients ?? []).map(reportHeldClient),
    redisCommands: (sources.redisCommands ?? []).map(reportRedisCommand),
    caches: (sources.caches ?? []).map((cache) => reportCache(cache, cacheHistories.get(`${cache.layer}\u0000${cache.name}`))),
    history: {
      since: sources.historySince === undefined ? null : iso(sources.historySince),
      minutesKept: MINUTES_KEPT,
      hoursKept: HOURS_KEPT,
      redis: (sources.redisHistories ?? []).map(reportRedisHistory),
    },
  };
}
