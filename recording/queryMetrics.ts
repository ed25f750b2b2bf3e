/**
 * The querylens_query_* and detector metrics of DESIGN. Per-fingerprint
 * statistics are observable counters read at scrape time from the labelled
 * series (see `querySeries.ts`: at most 2 × QUERYLENS_MAX_QUERIES
 * fingerprints, the rest under `fingerprint="other"`), so cardinality stays
 * bounded and every counter only goes up.
 */
import type { Attributes, Meter } from '@opentelemetry/api';
import { ATTR, METRICS } from '../core/metrics/registry';
import { createCounter, createObservableCounter, createObservableGauge } from '../core/metrics/instruments';
import type { FindingsStore } from './findingsStore';
import { OTHER, type QueryStatistics } from './queryStatistics';
import { EXPLAIN_OUTCOMES, type ExplainOutcome } from './explainRequests';
import type { QuerySeries } from './querySeries';
import { timeShare, type IndexSuggestions } from './indexSuggestions';

/** `querylens_query_info` carries at most this much of the normalized text. */
export const QUERY_INFO_MAX_CHARS = 200;

export interface QueryMetrics {
  flaggedExecution(rule: string, severity: string): void;
  slowQuery(operation: string): void;
  nPlusOne(fingerprint: string): void;
  explain(outcome: ExplainOutcome): void;
}

/** A rule whose flagged executions are counted: the (rule, severity) series exists at 0 from the start. */
export interface CountedRule {
  readonly id: string;
  readonly severity: string;
}

export function createQueryMetrics(
  meter: Meter, statistics: QueryStatistics, series: QuerySeries, findings: FindingsStore, countedRules: readonly CountedRule[],
  suggestions: IndexSuggestions,
): QueryMetrics {
  const calls = createObservableCounter(meter, METRICS.queryCalls);
  const time = createObservableCounter(meter, METRICS.queryTime);
  const rows = createObservableCounter(meter, METRICS.queryRows);
  const errors = createObservableCounter(meter, METRICS.queryErrors);
  const info = createObservableGauge(meter, METRICS.queryInfo);
  meter.addBatchObservableCallback((result) => {
    const points = series.points(statistics.top());
    for (const point of points.series) {
      const attributes: Attributes = {
        [ATTR.fingerprint]: point.fingerprint,
        [ATTR.dbOperationName]: point.operation,
        [ATTR.dbCollectionName]: point.collection,
      };
      result.observe(calls, point.calls, attributes);
      result.observe(time, point.totalMs / 1000, attributes);
      result.observe(rows, point.rows, attributes);
      result.observe(errors, point.errors, attributes);
      result.observe(info, 1, { [ATTR.fingerprint]: point.fingerprint, [ATTR.query]: point.query });
    }
    const otherAttributes: Attributes = { [ATTR.fingerprint]: OTHER, [ATTR.dbOperationName]: '', [ATTR.dbCollectionName]: '' };
    result.observe(calls, points.other.calls, otherAttributes);
    result.observe(time, points.other.totalMs / 1000, otherAttributes);
    result.observe(rows, points.other.rows, otherAttributes);
    result.observe(errors, points.other.errors, otherAttributes);
  }, [calls, time, rows, errors, info]);

  const flagged = createObservableGauge(meter, METRICS.findings);
  flagged.addCallback((result) => {
    for (const count of findings.countsByRule()) {
      result.observe(count.fingerprints, { [ATTR.rule]: count.rule, [ATTR.severity]: count.severity, [ATTR.category]: count.category });
    }
  });

  observeIndexSuggestions(meter, statistics, suggestions);

  const flaggedExecutions = createCounter(meter, METRICS.flaggedExecutions);
  // The rules that are on are a known list: a rule's first flagged execution is then an increase.
  // A plan rule can give a hit another severity than its catalogue one; that series starts at its first.
  for (const rule of countedRules) flaggedExecutions.add(0, { [ATTR.rule]: rule.id, [ATTR.severity]: rule.severity });
  const slowQueries = createCounter(meter, METRICS.slowQueries);
  const nPlusOne = createCounter(meter, METRICS.nPlusOne);
  const explainRuns = createCounter(meter, METRICS.explainRuns);
  // Outcomes are a fixed list: each exists at 0, so its first run is an increase.
  for (const outcome of EXPLAIN_OUTCOMES) explainRuns.add(0, { [ATTR.outcome]: outcome });
  return {
    flaggedExecution: (rule, severity) => flaggedExecutions.add(1, { [ATTR.rule]: rule, [ATTR.severity]: severity }),
    slowQuery: (operation) => slowQueries.add(1, { [ATTR.dbSystemName]: 'postgresql', [ATTR.dbOperationName]: operation }),
    // Bounded like the statistics: only labelled fingerprints have their own series.
    nPlusOne: (fingerprint) => nPlusOne.add(1, { [ATTR.fingerprint]: series.labelFor(statistics.get(fingerprint)) }),
    explain: (outcome) => explainRuns.add(1, { [ATTR.outcome]: outcome }),
  };
}

/** Two series each (verified true and false), both present from the start so the first suggestion is a change. */
function observeIndexSuggestions(meter: Meter, statistics: QueryStatistics, suggestions: IndexSuggestions): void {
  const count = createObservableGauge(meter, METRICS.indexSuggestions);
  const share = createObservableGauge(meter, METRICS.indexSuggestionTimeShare);
  meter.addBatchObservableCallback((result) => {
    const top = statistics.top();
    const totalMsOf = new Map(top.map((stats) => [stats.fingerprint, stats.totalMs]));
    const allMs = top.reduce((sum, stats) => sum + stats.totalMs, statistics.other().totalMs);
    const figures = { true: { count: 0, share: 0 }, false: { count: 0, share: 0 } };
    for (const suggestion of suggestions.list()) {
      const figure = figures[suggestion.method === 'hypopg' ? 'true' : 'false'];
      figure.count += 1;
      figure.share = Math.max(figure.share, timeShare(suggestion, (fingerprint) => totalMsOf.get(fingerprint) ?? 0, allMs));
    }
    for (const verified of ['true', 'false'] as const) {
      result.observe(count, figures[verified].count, { [ATTR.verified]: verified });
      result.observe(share, figures[verified].share, { [ATTR.verified]: verified });
    }
  }, [count, share]);
}
