/**
 * The querylens_query_* and detector metrics of DESIGN. Per-fingerprint
 * statistics are observable counters read from the top-K table at scrape
 * time: exactly the current top-K plus `fingerprint="other"` exist, so the
 * series count stays bounded (a counter incremented per fingerprint would
 * keep one series for every fingerprint that was ever in the top-K). An
 * evicted fingerprint's totals move into `other`; a fingerprint that comes
 * back starts again from zero, which Prometheus reads as a counter reset.
 */
import type { Attributes, Meter } from '@opentelemetry/api';
import { ATTR, METRICS } from '../metrics/registry';
import { createCounter, createObservableCounter, createObservableGauge } from '../metrics/instruments';
import type { FindingsStore } from '../sql/findingsStore';
import { OTHER, type QueryStatistics } from '../sql/queryStatistics';
import type { ExplainOutcome } from './explainRequests';

/** `querylens_query_info` carries at most this much of the normalized text. */
export const QUERY_INFO_MAX_CHARS = 200;

export interface QueryMetrics {
  flaggedExecution(rule: string, severity: string): void;
  slowQuery(operation: string): void;
  nPlusOne(fingerprint: string): void;
  explain(outcome: ExplainOutcome): void;
}

export function createQueryMetrics(meter: Meter, statistics: QueryStatistics, findings: FindingsStore): QueryMetrics {
  const calls = createObservableCounter(meter, METRICS.queryCalls);
  const time = createObservableCounter(meter, METRICS.queryTime);
  const rows = createObservableCounter(meter, METRICS.queryRows);
  const errors = createObservableCounter(meter, METRICS.queryErrors);
  const info = createObservableGauge(meter, METRICS.queryInfo);
  meter.addBatchObservableCallback((result) => {
    for (const query of statistics.top()) {
      const attributes: Attributes = {
        [ATTR.fingerprint]: query.fingerprint,
        [ATTR.dbOperationName]: query.operation,
        [ATTR.dbCollectionName]: query.collection,
      };
      result.observe(calls, query.calls, attributes);
      result.observe(time, query.totalMs / 1000, attributes);
      result.observe(rows, query.rows, attributes);
      result.observe(errors, query.errors, attributes);
      result.observe(info, 1, { [ATTR.fingerprint]: query.fingerprint, [ATTR.query]: query.normalized.slice(0, QUERY_INFO_MAX_CHARS) });
    }
    const other = statistics.other();
    const otherAttributes: Attributes = { [ATTR.fingerprint]: OTHER, [ATTR.dbOperationName]: '', [ATTR.dbCollectionName]: '' };
    result.observe(calls, other.calls, otherAttributes);
    result.observe(time, other.totalMs / 1000, otherAttributes);
    result.observe(rows, other.rows, otherAttributes);
    result.observe(errors, other.errors, otherAttributes);
  }, [calls, time, rows, errors, info]);

  const flagged = createObservableGauge(meter, METRICS.findings);
  flagged.addCallback((result) => {
    for (const count of findings.countsByRule()) {
      result.observe(count.fingerprints, { [ATTR.rule]: count.rule, [ATTR.severity]: count.severity, [ATTR.category]: count.category });
    }
  });

  const flaggedExecutions = createCounter(meter, METRICS.flaggedExecutions);
  const slowQueries = createCounter(meter, METRICS.slowQueries);
  const nPlusOne = createCounter(meter, METRICS.nPlusOne);
  const explainRuns = createCounter(meter, METRICS.explainRuns);
  return {
    flaggedExecution: (rule, severity) => flaggedExecutions.add(1, { [ATTR.rule]: rule, [ATTR.severity]: severity }),
    slowQuery: (operation) => slowQueries.add(1, { [ATTR.dbSystemName]: 'postgresql', [ATTR.dbOperationName]: operation }),
    // Bounded like the statistics: a fingerprint outside the top-K is `other`.
    nPlusOne: (fingerprint) => nPlusOne.add(1, { [ATTR.fingerprint]: statistics.has(fingerprint) ? fingerprint : OTHER }),
    explain: (outcome) => explainRuns.add(1, { [ATTR.outcome]: outcome }),
  };
}
