/** Node.js runtime: event-loop lag and heap use against the V8 heap limit. */
import { QUERYLENS_RUNTIME_METRICS, RUNTIME_METRICS } from '../../../../core/metrics/registry';
import { LABEL } from '../../../shared/labels';
import type { AlertSpec } from '../alertSpec';
import { twinLevels } from '../alertSpec';
import { EVAL_TIME, SAMPLES } from '../fixtures';
import type { RuleContext } from '../ruleContext';
import { TARGET } from '../ruleContext';
import { THRESHOLDS } from '../thresholds';

const HEAP_LIMIT_BYTES = 2 ** 31;

export function runtimeAlerts({ q, fx }: RuleContext): AlertSpec[] {
  const lag = q.maxGauge(TARGET, RUNTIME_METRICS.eventLoopDelayP99.scraped);
  const heapUsedRatio = `${q.sumGauge(TARGET, RUNTIME_METRICS.heapUsed.scraped)} / ${q.maxGauge(TARGET, QUERYLENS_RUNTIME_METRICS.heapSizeLimit.scraped)}`;
  const lagOf = (seconds: number) => [fx.runtime(RUNTIME_METRICS.eventLoopDelayP99.scraped, {}, `${seconds}x${SAMPLES}`)];
  // Two heap spaces sharing the used bytes, so the alert must sum them.
  const heapAt = (share: number) => [
    fx.runtime(RUNTIME_METRICS.heapUsed.scraped, { [LABEL.heapSpace]: 'old_space' }, `${HEAP_LIMIT_BYTES * share * 0.75}x${SAMPLES}`),
    fx.runtime(RUNTIME_METRICS.heapUsed.scraped, { [LABEL.heapSpace]: 'new_space' }, `${HEAP_LIMIT_BYTES * share * 0.25}x${SAMPLES}`),
    fx.gauge(QUERYLENS_RUNTIME_METRICS.heapSizeLimit.scraped, {}, HEAP_LIMIT_BYTES),
  ];
  const { eventLoopP99Seconds: lagLimit, heapUsedRatio: heapLimit } = THRESHOLDS;
  return [
    {
      name: 'QuerylensEventLoopLagHigh',
      signal: lag,
      levels: twinLevels(lag, lagLimit, { warning: '5m', critical: '5m' }),
      summary: 'The Node.js event loop is blocked for long stretches.',
      description: (t) => `The event loop of ${t.label(LABEL.instance)} has a p99 delay of ${t.value}: every request and every database callback waits that long.`,
      valueFormat: 'humanizeDuration',
      cases: [
        { name: 'seconds of lag', series: lagOf(2), evalTime: EVAL_TIME, firing: [
          { severity: 'warning', labels: fx.target(), value: '2s' },
          { severity: 'critical', labels: fx.target(), value: '2s' },
        ] },
        { name: 'a quarter second of lag', series: lagOf(0.25), evalTime: EVAL_TIME,
          firing: [{ severity: 'warning', labels: fx.target(), value: '250ms' }] },
        { name: 'a responsive loop', series: lagOf(0.02), evalTime: EVAL_TIME, firing: [] },
      ],
    },
    {
      name: 'QuerylensHeapNearLimit',
      signal: heapUsedRatio,
      levels: twinLevels(heapUsedRatio, heapLimit, { warning: '10m', critical: '5m' }),
      summary: 'The V8 heap is close to its size limit.',
      description: (t) => `${t.label(LABEL.instance)} uses ${t.value} of its V8 heap limit; past it the process dies with "JavaScript heap out of memory".`,
      valueFormat: 'humanizePercentage',
      cases: [
        { name: 'heap almost full', series: heapAt(0.97), evalTime: EVAL_TIME, firing: [
          { severity: 'warning', labels: fx.target(), value: '97%' },
          { severity: 'critical', labels: fx.target(), value: '97%' },
        ] },
        { name: 'heap filling', series: heapAt(0.9), evalTime: EVAL_TIME,
          firing: [{ severity: 'warning', labels: fx.target(), value: '90%' }] },
        { name: 'heap at half', series: heapAt(0.5), evalTime: EVAL_TIME, firing: [] },
      ],
    },
  ];
}
