/**
 * The runtime recorder: a QueryObserver fed by the pg instrumentation with
 * one QueryEvent per finished statement. It updates the per-query
 * statistics, the findings (static, value-dependent, runtime detectors),
 * the cache-candidate sample and the metrics; for slow statements it writes
 * the slow-query log and asks for an EXPLAIN plan.
 *
 * Runs inside the app's query callback: everything is O(1) or O(findings of
 * the statement) per call, except the bounded, rare paths (value rules on
 * the first executions of a fingerprint, an EXPLAIN, a slow-log line). It
 * never throws into the app (agent errors are reported) and keeps no literal values: texts
 * and parameter sets are reduced to hashes before they are stored.
 */
import { RULE_CATALOGUE } from '../sql/catalogue/ruleCatalogue';
import { LatencyBuckets } from '../core/latencyBuckets';
import type { Meter } from '@opentelemetry/api';
import { reportAgentError } from '../core/agentErrors';
import type { RecordingSettings } from './recordingSettings';
import type { QueryEvent, QueryObserver } from '../core/queryEvents';
import type { RequestEnd, RequestObserver } from '../core/requestEvents';
import type { CallSite } from '../core/callSite';
import { CallSitesByStatement, type SampledCallSite } from './callSites';
import { RequestTallies } from './requestTallies';
import { RouteStatistics, type RouteStats } from './routeStatistics';
import type { StatementAnalysis, StaticFinding } from '../core/statementAnalysis';
import { CACHE_CANDIDATE_RULE, CacheCandidates, isCacheable, type CacheCandidate } from './detectors/cacheCandidates';
import { cacheAdvice, type CacheAdvice } from './detectors/cacheAdvice';
import { TableWriteRates } from './tableWriteRates';
import { checkValues } from './checkValues';
import { FindingsStore, type FindingPersistence, type FindingRecord } from './findingsStore';
import { hashString, hashValues } from '../core/hashing';
import { LITERAL_BUILT_RULE, LiteralBuiltDetector, carriesLiterals } from './detectors/literalBuiltDetector';
import { LruMap } from '../core/lruMap';
import { N_PLUS_ONE_RULE, NPlusOneDetector, nPlusOneFinding, type NPlusOneSummary } from './detectors/nPlusOneDetector';
import { sqlParser } from '../sql/parse/parser';
import { analyzePlan } from '../sql/plan/analyzePlan';
import { DEFAULT_PLAN_RULE_OPTIONS, type PlanRuleOptions } from '../sql/plan/planRule';
import { sanitizePlan, summarizePlan } from '../sql/plan/planSanitizer';
import { QueryStatistics, type OverflowStats, type QueryStats } from './queryStatistics';
import type { HistoryWindow } from '../core/minuteHistory';
import { SLOW_QUERY_RULE, slowQueryFinding } from './slowQueryFinding';
import { UNBOUNDED_RESULT_RULE, UnboundedResultDetector } from './detectors/unboundedResultDetector';
import { detectorOn, planRulesFor, ruleSwitches } from './ruleSwitches';
import type { SlowQueryLogEntry } from '../exporters/slowQueryLog';
import { EXPLAIN_OUTCOMES, type ExplainOutcome, type ExplainResult, type PlanRequester } from './explainRequests';
import { QUERY_INFO_MAX_CHARS, createQueryMetrics, type QueryMetrics } from './queryMetrics';
import { QuerySeries } from './querySeries';
import { IndexSuggestions, type IndexSuggestion } from './indexSuggestions';
import { MISSING_INDEX_RULE, missingIndexFinding } from './missingIndexFinding';

/** Executions of one fingerprint checked by value rules before we stop looking (unless one fires first). */
export const VALUE_CHECK_BUDGET = 50;

/** A cache candidate with what the finding recommends for it (detectors/cacheAdvice.ts). */
export type AdvisedCacheCandidate = CacheCandidate & CacheAdvice;

export interface QueryRecorderDeps {
  /** Runs EXPLAIN for slow read-only statements; omit to never explain. */
  readonly planRequester?: PlanRequester;
  readonly slowQueryLog?: { write(entry: SlowQueryLogEntry): void };
}

export interface SlowQueryDetail {
  readonly fingerprint: string;
  readonly lastDurationMs: number;
  readonly maxDurationMs: number;
  readonly lastTraceId: string | undefined;
  readonly lastSeen: number;
  /** The route and the call site of the last slow execution (its own site when sampled, else the statement's most sampled one). */
  readonly lastRoute: string | undefined;
  readonly lastCallSite: CallSite | undefined;
  /** Outcome of the last EXPLAIN attempt, and its reason when not `ok`. */
  readonly explain: { readonly outcome: ExplainOutcome; readonly reason?: string } | undefined;
}

export interface QueryRecorder extends QueryObserver, RequestObserver {
  /** The call sites capture sampled for the statement, most sampled first. */
  callSitesOf(fingerprint: string): SampledCallSite[];
  /** Per route, its requests and the statements they sent (routes by database time). */
  routes(): RouteStats[];
  topQueries(): QueryStats[];
  /** Per top-K fingerprint, its buckets that end after `sinceMs` (core/minuteHistory.ts), read at `nowMs`. */
  queryHistories(nowMs: number, sinceMs?: number): Map<string, HistoryWindow>;
  /** 95th percentile of every statement's duration since the start or the last reset, in ms. */
  overallP95Ms(): number;
  otherQueries(): OverflowStats;
  findings(): FindingRecord[];
  slowQueries(): SlowQueryDetail[];
  nPlusOneLoops(): NPlusOneSummary[];
  cacheCandidates(): AdvisedCacheCandidate[];
  explainOutcomes(): Readonly<Record<ExplainOutcome, number>>;
  /** The index advisor's suggestions, those helping the most statements first. */
  indexSuggestions(): IndexSuggestion[];
  /** Resolves when every EXPLAIN requested so far has been recorded (tests, shutdown). */
  settled(): Promise<void>;
  /** Forgets everything recorded (the admin `reset-stats` action). */
  reset(): void;
}

interface TextTraits {
  readonly hash: string;
  readonly hasLiterals: boolean;
}

interface MutableSlowDetail {
  readonly fingerprint: string;
  lastDurationMs: number;
  maxDurationMs: number;
  lastTraceId: string | undefined;
  lastSeen: number;
  lastRoute: string | undefined;
  lastCallSite: CallSite | undefined;
  explain: { outcome: ExplainOutcome; reason?: string } | undefined;
}

export function createQueryRecorder(config: RecordingSettings, meter: Meter, deps: QueryRecorderDeps = {}): QueryRecorder {
  const series = new QuerySeries(config.maxQueries * 2, QUERY_INFO_MAX_CHARS);
  let overall = new LatencyBuckets();
  const statistics = new QueryStatistics(config.maxQueries, (evicted) => series.retire(evicted));
  const findingsStore = new FindingsStore();
  const suggestions = new IndexSuggestions();
  const nPlusOne = new NPlusOneDetector({ threshold: config.nPlusOneThreshold, minTotalMs: config.nPlusOneMinMs, maxLoopSummaries: config.maxQueries });
  const literalBuilt = new LiteralBuiltDetector();
  const unbounded = new UnboundedResultDetector(config.unboundedRows);
  const candidates = new CacheCandidates();
  const writeRates = new TableWriteRates();
  const callSites = new CallSitesByStatement(config.maxQueries * 2);
  const requestTallies = new RequestTallies();
  const routeStatistics = new RouteStatistics();
  const switches = ruleSwitches(config.disabledRules);
  const valueChecksLeft = new LruMap<string, number>(1000);
  const slowDetails = new LruMap<string, MutableSlowDetail>(config.maxQueries);
  const explainCounts: Record<ExplainOutcome, number> = { ok: 0, skipped: 0, error: 0, timeout: 0 };
  const pendingPlans = new Set<Promise<void>>();
  const countedRules = RULE_CATALOGUE.filter((rule) => rule.sources.includes('runtime') && !config.disabledRules.has(rule.id));
  const metrics: QueryMetrics = createQueryMetrics(meter, statistics, series, findingsStore, countedRules, suggestions);
  // Once per distinct text: the statement cache hands out one analysis object per text.
  const textTraits = new WeakMap<StatementAnalysis, TextTraits>();

  function textTraitsOf(analysis: StatementAnalysis, text: string): TextTraits {
    let traits = textTraits.get(analysis);
    if (traits === undefined) {
      const parser = sqlParser();
      traits = { hash: hashString(text), hasLiterals: parser !== undefined && carriesLiterals(text, parser) };
      textTraits.set(analysis, traits);
    }
    return traits;
  }

  /** An N+1 finding names its latest loop's size so far, read here rather than rewritten on every repetition. */
  function withLoopSizesSoFar(records: FindingRecord[]): FindingRecord[] {
    return records.map((record) => {
      if (record.rule !== N_PLUS_ONE_RULE) return record;
      const loop = nPlusOne.latestLoop(record.fingerprint);
      return loop === undefined ? record : { ...record, message: nPlusOneFinding(loop).message };
    });
  }

  function raise(event: QueryEvent, finding: StaticFinding, persistence: FindingPersistence, withPlan = false): void {
    const { analysis } = event;
    findingsStore.raise(analysis.fingerprint, analysis.normalized, finding, event.endedAt, persistence, withPlan);
    metrics.flaggedExecution(finding.rule, finding.severity);
  }

  /** Value rules cost a rule run: only on the first executions, and only until one fires. */
  function checkValueRules(event: QueryEvent): void {
    const { analysis } = event;
    if (!analysis.hasValueRules || event.values === undefined) return;
    const left = valueChecksLeft.get(analysis.fingerprint) ?? VALUE_CHECK_BUDGET;
    if (left <= 0) return;
    const found = checkValues(analysis, event.values);
    valueChecksLeft.set(analysis.fingerprint, found.length > 0 ? 0 : left - 1);
    for (const finding of found) if (!findingsStore.has(analysis.fingerprint, finding.rule)) raise(event, finding, 'sticky');
  }

  /** The plan findings and, when the advisor kept an index for the statement, its missing-index finding. */
  function planFindings(analysis: StatementAnalysis, result: ExplainResult, plan: unknown, at: number): StaticFinding[] {
    const relationRows = result.relationRows ?? {};
    const relationStatistics = result.relationStatistics ?? {};
    const options: PlanRuleOptions = {
      ...DEFAULT_PLAN_RULE_OPTIONS,
      relationRows: (relation) => (Object.hasOwn(relationRows, relation) ? relationRows[relation] : undefined),
      relationStatistics: (relation) => (Object.hasOwn(relationStatistics, relation) ? relationStatistics[relation] : undefined),
      ...(result.workMemBytes === undefined ? {} : { workMemBytes: result.workMemBytes }),
    };
    const found: StaticFinding[] = analyzePlan(plan, options, planRulesFor(switches, analysis));
    // No advice at all (the advisor is off or failed this time, a timeout say): the statement's last advice stands.
    const kept = !detectorOn(switches, MISSING_INDEX_RULE, analysis) ? suggestions.record(analysis.fingerprint, analysis.normalized, [], at)
      : result.indexAdvice === undefined ? suggestions.keptFor(analysis.fingerprint)
        : suggestions.record(analysis.fingerprint, analysis.normalized, result.indexAdvice, at);
    return kept === undefined ? found : [...found, missingIndexFinding(kept)];
  }

  function recordPlan(analysis: StatementAnalysis, result: ExplainResult, detail: MutableSlowDetail | undefined): void {
    metrics.explain(result.outcome);
    explainCounts[result.outcome] += 1;
    if (detail !== undefined) detail.explain = result.reason === undefined ? { outcome: result.outcome } : { outcome: result.outcome, reason: result.reason };
    const parser = sqlParser();
    if (result.outcome !== 'ok' || parser === undefined) return;
    const plan = sanitizePlan(result.plan, parser);
    const at = Date.now();
    findingsStore.attachPlan(analysis.fingerprint, { plan, summary: summarizePlan(plan), explainedAt: at });
    findingsStore.replacePlanFindings(analysis.fingerprint, analysis.normalized, planFindings(analysis, result, plan, at), at);
  }

  /** A slow statement, or one repeated in an N+1 loop (the statements that add up), is explained (and advised on). */
  function requestPlan(event: QueryEvent, detail: MutableSlowDetail | undefined): void {
    if (!config.explain || deps.planRequester === undefined) return;
    const { analysis } = event;
    const pending = deps.planRequester.request({
      fingerprint: analysis.fingerprint,
      text: event.text,
      values: event.values,
      readOnly: analysis.readOnly,
      statementCount: analysis.statementCount,
      server: event.server,
    });
    if (pending === undefined) return;
    const recorded = pending
      .then((result) => recordPlan(analysis, result, detail))
      .catch((error: unknown) => reportAgentError('explain', error))
      .finally(() => pendingPlans.delete(recorded));
    pendingPlans.add(recorded);
  }

  function recordSlow(event: QueryEvent, durationMs: number): void {
    const { analysis } = event;
    metrics.slowQuery(analysis.operation);
    if (detectorOn(switches, SLOW_QUERY_RULE, analysis)) raise(event, slowQueryFinding(durationMs, config.slowQueryMs), 'event', true);
    let detail = slowDetails.get(analysis.fingerprint);
    if (detail === undefined) {
      detail = { fingerprint: analysis.fingerprint, lastDurationMs: 0, maxDurationMs: 0, lastTraceId: undefined, lastSeen: 0, lastRoute: undefined, lastCallSite: undefined, explain: undefined };
      slowDetails.set(analysis.fingerprint, detail);
    }
    detail.lastDurationMs = durationMs;
    detail.maxDurationMs = Math.max(detail.maxDurationMs, durationMs);
    detail.lastTraceId = event.traceId;
    detail.lastSeen = event.endedAt;
    detail.lastRoute = event.request?.route();
    detail.lastCallSite = event.callSite ?? callSites.sitesOf(analysis.fingerprint)[0]?.site;
    deps.slowQueryLog?.write({
      time: new Date(event.endedAt).toISOString(),
      fingerprint: analysis.fingerprint,
      query: analysis.normalized,
      durationMs: Math.round(durationMs * 1000) / 1000,
      rows: event.rows,
      traceId: event.traceId,
      route: detail.lastRoute,
      callSite: detail.lastCallSite,
      findings: findingsStore.rulesFor(analysis.fingerprint),
      plan: findingsStore.planFor(analysis.fingerprint)?.summary,
    });
    requestPlan(event, detail);
  }

  function record(event: QueryEvent): void {
    const { analysis } = event;
    const durationMs = event.durationSeconds * 1000;
    const at = event.endedAt;
    overall.record(durationMs);
    if (event.callSite !== undefined) callSites.observe(analysis.fingerprint, event.callSite, at);
    if (event.request?.http === true) requestTallies.observe(event.request.key, analysis.fingerprint, durationMs);
    statistics.record({
      fingerprint: analysis.fingerprint,
      normalized: analysis.normalized,
      operation: analysis.operation,
      collection: analysis.collection,
      tables: analysis.tables,
      durationMs,
      rows: event.rows,
      errorCode: event.errorCode,
      at,
    });
    for (const flagged of findingsStore.observe(analysis.fingerprint, analysis.normalized, analysis.findings, at)) {
      metrics.flaggedExecution(flagged.rule, flagged.severity);
    }
    checkValueRules(event);
    if (event.errorCode === undefined) writeRates.observe(analysis.writes);
    // Unparsed statements (overlong, invalid) are neither literal-built candidates nor cacheable: no hashing.
    const traits = analysis.parsed ? textTraitsOf(analysis, event.text) : undefined;
    if (traits?.hasLiterals === true && detectorOn(switches, LITERAL_BUILT_RULE, analysis)) {
      const literalFinding = literalBuilt.observe(analysis.fingerprint, traits.hash);
      if (literalFinding !== undefined) raise(event, literalFinding, 'sticky');
    }
    const unboundedFinding = detectorOn(switches, UNBOUNDED_RESULT_RULE, analysis) ? unbounded.check(analysis, event.rows) : undefined;
    if (unboundedFinding !== undefined) raise(event, unboundedFinding, 'event');
    const loop = detectorOn(switches, N_PLUS_ONE_RULE, analysis)
      ? nPlusOne.observe({ contextKey: event.contextKey, fingerprint: analysis.fingerprint, normalized: analysis.normalized, durationMs, at })
      : undefined;
    if (loop !== undefined) {
      metrics.nPlusOne(analysis.fingerprint);
      const route = event.request?.route();
      if (route !== undefined) nPlusOne.noteRoute(analysis.fingerprint, route);
      raise(event, nPlusOneFinding(loop), 'event');
      if (analysis.readOnly) requestPlan(event, slowDetails.peek(analysis.fingerprint));
    }
    const errored = event.errorCode !== undefined;
    if (traits !== undefined && detectorOn(switches, CACHE_CANDIDATE_RULE, analysis) && isCacheable({ readOnly: analysis.readOnly, hasVolatileFunctions: analysis.hasVolatileFunctions, errored })) {
      candidates.observe({
        fingerprint: analysis.fingerprint,
        normalized: analysis.normalized,
        tables: analysis.tables,
        readOnly: analysis.readOnly,
        hasVolatileFunctions: analysis.hasVolatileFunctions,
        parameterHash: candidates.wantsSample(analysis.fingerprint) ? hashValues(traits.hash, event.values) : undefined,
        durationMs,
        errored,
      });
    }
    // Errors count too: a statement cancelled by statement_timeout is the slowest kind.
    if (durationMs >= config.slowQueryMs) recordSlow(event, durationMs);
  }

  return {
    onQuery: (event) => {
      // try/catch rather than `guarded`: a closure per statement shows in the benchmark.
      try {
        record(event);
      } catch (error) {
        reportAgentError('query-recorder', error);
      }
    },
    onRequestEnd: (end: RequestEnd) => {
      try {
        routeStatistics.record(end.route, requestTallies.take(end.key), end.endedAt);
      } catch (error) {
        reportAgentError('query-recorder', error);
      }
    },
    callSitesOf: (fingerprint) => callSites.sitesOf(fingerprint),
    routes: () => routeStatistics.list(),
    topQueries: () => statistics.top(),
    queryHistories: (nowMs, sinceMs) => statistics.histories(nowMs, sinceMs),
    overallP95Ms: () => overall.quantile(0.95),
    otherQueries: () => statistics.other(),
    findings: () => withLoopSizesSoFar(findingsStore.list()),
    slowQueries: () => [...slowDetails.values()].map((detail) => ({ ...detail })).sort((a, b) => b.lastSeen - a.lastSeen),
    nPlusOneLoops: () => nPlusOne.loops(),
    cacheCandidates: () => candidates.top().map((candidate) => ({ ...candidate, ...cacheAdvice(candidate.normalized, writeRates.rates(candidate.tables)) })),
    explainOutcomes: () => ({ ...explainCounts }),
    indexSuggestions: () => suggestions.list(),
    settled: async () => {
      while (pendingPlans.size > 0) await Promise.all([...pendingPlans]);
    },
    reset: () => {
      // Exported counters never go back: what the report forgets stays in the series.
      for (const stats of statistics.top()) series.retire(stats);
      statistics.reset();
      overall = new LatencyBuckets();
      findingsStore.reset();
      suggestions.reset();
      nPlusOne.reset();
      literalBuilt.reset();
      unbounded.reset();
      candidates.reset();
      writeRates.reset();
      callSites.reset();
      requestTallies.reset();
      routeStatistics.reset();
      valueChecksLeft.clear();
      slowDetails.clear();
      for (const outcome of EXPLAIN_OUTCOMES) explainCounts[outcome] = 0;
    },
  };
}
