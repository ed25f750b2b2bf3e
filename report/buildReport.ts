/**
 * Builds the report from the recorder's current state. Pure: everything it
 * reads comes in `sources`, so it can be tested without a server or a clock.
 */
import type { QueryRecorder } from '../recording/queryRecorder';
import type { RecordingSettings } from '../recording/recordingSettings';
import type { StoredPlan } from '../recording/findingsStore';
import { SLOW_QUERY_RULE } from '../recording/slowQueryFinding';
import type { StatementCacheCounts } from '../recording/statementCache';
import type { CacheSummary } from '../instrumentations/cacheTelemetry/cacheStatistics';
import { REPORT_SCHEMA_VERSION, type QuerylensReport, type ReportCache, type ReportPlan, type ReportPool, type ReportRedisCommand } from './reportModel';

export interface ReportSources {
  readonly serviceName: string;
  readonly agentVersion: string;
  /** ms since epoch */
  readonly startedAt: number;
  readonly now: number;
  readonly config: RecordingSettings;
  readonly recorder: Omit<QueryRecorder, 'onQuery' | 'reset' | 'settled'>;
  readonly parse?: StatementCacheCounts;
  readonly slowQueryLog?: { readonly destination: string; stats(): { readonly written: number; readonly dropped: number } };
  /** ms since epoch of the last statistics reset; default `startedAt`. */
  readonly statsSince?: number;
  readonly pools?: readonly ReportPool[];
  readonly redisCommands?: readonly ReportRedisCommand[];
  /** `cacheSummaries()` of the cache instrumentation. */
  readonly caches?: readonly CacheSummary[];
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Milliseconds to microsecond precision: enough to read, short to serve. */
function ms(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function reportPlan(plan: StoredPlan | undefined): ReportPlan | undefined {
  return plan === undefined ? undefined : { summary: plan.summary, explainedAt: iso(plan.explainedAt), plan: plan.plan };
}

function reportCache(cache: CacheSummary): ReportCache {
  const lookups = cache.hits + cache.misses + cache.stale;
  const evictions = Object.values(cache.evictions).reduce((sum, count) => sum + count, 0);
  return {
    name: cache.name,
    layer: cache.layer,
    hits: cache.hits,
    misses: cache.misses,
    stale: cache.stale,
    errors: cache.errors,
    hitRatio: lookups === 0 ? null : Math.round((cache.hits / lookups) * 1000) / 1000,
    evictions,
    ...(cache.entries === undefined ? {} : { entries: cache.entries }),
    ...(cache.maxEntries === undefined ? {} : { maxEntries: cache.maxEntries }),
  };
}

export function buildReport(sources: ReportSources): QuerylensReport {
  const { recorder } = sources;
  const top = recorder.topQueries();
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
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: iso(sources.now),
    service: { name: sources.serviceName, agentVersion: sources.agentVersion },
    startedAt: iso(sources.startedAt),
    uptimeSeconds: Math.max(0, Math.round((sources.now - sources.startedAt) / 1000)),
    statsSince: iso(sources.statsSince ?? sources.startedAt),
    thresholds: {
      slowQueryMs: sources.config.slowQueryMs,
      nPlusOne: sources.config.nPlusOneThreshold,
      maxQueries: sources.config.maxQueries,
      unboundedRows: sources.config.unboundedRows,
      explain: sources.config.explain,
    },
    queries: {
      p95Ms: ms(recorder.overallP95Ms()),
      top: top.map(({ normalized, firstSeen, lastSeen, ...query }) => ({
        ...query,
        query: normalized,
        totalMs: ms(query.totalMs),
        meanMs: ms(query.meanMs),
        maxMs: ms(query.maxMs),
        p50Ms: ms(query.p50Ms),
        p95Ms: ms(query.p95Ms),
        p99Ms: ms(query.p99Ms),
        firstSeen: iso(firstSeen),
        lastSeen: iso(lastSeen),
      })),
      other: { calls: other.calls, totalMs: ms(other.totalMs), rows: other.rows, errors: other.errors, evictions: other.evictions },
    },
    findings: findings.map(({ firstSeen, lastSeen, plan, ...finding }) => {
      const shown = reportPlan(plan);
      return { ...finding, firstSeen: iso(firstSeen), lastSeen: iso(lastSeen), ...(shown === undefined ? {} : { plan: shown }) };
    }),
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
        findings: rulesByFingerprint.get(slow.fingerprint) ?? [],
        explain: slow.explain,
        plan: reportPlan(finding?.plan),
      };
    }),
    nPlusOne: recorder.nPlusOneLoops().map(({ normalized, firstSeen, lastSeen, ...loop }) => ({
      ...loop,
      query: normalized,
      maxTotalMs: ms(loop.maxTotalMs),
      firstSeen: iso(firstSeen),
      lastSeen: iso(lastSeen),
    })),
    cacheCandidates: recorder.cacheCandidates().map(({ normalized, ...candidate }) => ({
      ...candidate,
      query: normalized,
      estimatedHitRate: Math.round(candidate.estimatedHitRate * 1000) / 1000,
      meanMs: ms(candidate.meanMs),
      estimatedTimeSavedMs: ms(candidate.estimatedTimeSavedMs),
    })),
    explain: recorder.explainOutcomes(),
    parse: sources.parse ?? null,
    slowQueryLog: sources.slowQueryLog === undefined
      ? { destination: 'off', written: 0, dropped: 0 }
      : { destination: sources.slowQueryLog.destination, ...sources.slowQueryLog.stats() },
    pools: (sources.pools ?? []).map((pool) => ({ ...pool })),
    redisCommands: [...(sources.redisCommands ?? [])],
    caches: (sources.caches ?? []).map(reportCache),
  };
}
