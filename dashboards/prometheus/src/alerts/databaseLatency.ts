/** p99 latency of database operations, per database system. */
import { bucketsOf, METRICS } from '../../../../core/metrics/registry';
import { DB_SYSTEM, LABEL } from '../../../shared/labels';
import { eq } from '../../../shared/promql';
import type { AlertSpec } from '../alertSpec';
import { above } from '../alertSpec';
import { EVAL_TIME } from '../fixtures';
import type { RuleContext } from '../ruleContext';
import { TARGET } from '../ruleContext';
import { RATE_WINDOW } from '../thresholds';

type DbSystem = (typeof DB_SYSTEM)[keyof typeof DB_SYSTEM];

/**
 * `slowValue`/`fastValue` are the interpolated p99 of fixtures whose observations all fall
 * in the bucket just above / two buckets below the threshold.
 */
export function p99LatencyAlert({ q, fx }: RuleContext, name: string, system: DbSystem, label: string,
  thresholdSeconds: number, slowValue: string): AlertSpec {
  const signal = q.quantile(0.99, TARGET, METRICS.dbOperationDuration, RATE_WINDOW, eq(LABEL.dbSystem, system));
  const bounds = bucketsOf(METRICS.dbOperationDuration, system);
  const slowBucket = bounds[bounds.indexOf(thresholdSeconds) + 1];
  const fastBucket = bounds[bounds.indexOf(thresholdSeconds) - 2];
  if (slowBucket === undefined || fastBucket === undefined) {
    throw new Error(`${name}: threshold ${thresholdSeconds}s must be an inner bucket boundary`);
  }
  const labels = { [LABEL.dbSystem]: system };
  return {
    name,
    signal,
    levels: [{ severity: 'warning', expr: above(signal, thresholdSeconds), for: '10m' }],
    summary: `${label} operations are slow.`,
    description: (t) => `The 99th percentile of ${label} operation time on ${t.label(LABEL.instance)} is ${t.value} (threshold ${thresholdSeconds}s).`,
    valueFormat: 'humanizeDuration',
    cases: [
      { name: 'operations land above the threshold', series: fx.histogram(METRICS.dbOperationDuration, labels, slowBucket, 60),
        evalTime: EVAL_TIME, firing: [{ severity: 'warning', labels: fx.target(), value: slowValue }] },
      { name: 'operations are fast', series: fx.histogram(METRICS.dbOperationDuration, labels, fastBucket, 60),
        evalTime: EVAL_TIME, firing: [] },
    ],
  };
}
