/** In-process and Redis caches: hit ratio, capacity evictions, a tiered cache's Redis breaker held open. */
import { METRICS } from '../../../../core/metrics/registry';
import { BREAKER_OPEN, CACHE_RESULT, EVICTION_REASON_CAPACITY, LABEL } from '../../../shared/labels';
import { eq } from '../../../shared/promql';
import type { AlertSpec } from '../alertSpec';
import { above, below } from '../alertSpec';
import { EVAL_TIME, SAMPLES } from '../fixtures';
import type { RuleContext } from '../ruleContext';
import { TARGET } from '../ruleContext';
import { RATE_WINDOW, THRESHOLDS } from '../thresholds';

const CACHE = [...TARGET, LABEL.cacheName, LABEL.cacheLayer];
const FIXTURE_CACHE = { [LABEL.cacheName]: 'user-profiles', [LABEL.cacheLayer]: 'memory' };

export function cacheAlerts(ctx: RuleContext): AlertSpec[] {
  const { q, fx } = ctx;
  const requests = METRICS.cacheRequests.scraped;
  const hitRatio = q.rateRatio(CACHE, requests, RATE_WINDOW, [eq(LABEL.cacheResult, CACHE_RESULT.hit)]);
  const busy = `${q.sumRate(CACHE, requests, RATE_WINDOW)} > ${THRESHOLDS.cacheMinRequestsPerSecond}`;
  const lowHitRatio = `${below(hitRatio, THRESHOLDS.cacheHitRatio)} and on (${CACHE.join(', ')}) ${busy}`;
  const evictions = q.sumRate([...TARGET, LABEL.cacheName], METRICS.cacheEvictions.scraped, RATE_WINDOW,
    eq(LABEL.reason, EVICTION_REASON_CAPACITY));
  const lookups = (hitsPerMinute: number, missesPerMinute: number) => [
    fx.counter(requests, { ...FIXTURE_CACHE, [LABEL.cacheResult]: CACHE_RESULT.hit }, hitsPerMinute),
    fx.counter(requests, { ...FIXTURE_CACHE, [LABEL.cacheResult]: CACHE_RESULT.miss }, missesPerMinute),
  ];
  const cacheName = { [LABEL.cacheName]: FIXTURE_CACHE[LABEL.cacheName] };
  const breakerState = q.maxGauge([...TARGET, LABEL.cacheName], METRICS.cacheBreakerState.scraped);
  const breaker = (values: string) => fx.series(METRICS.cacheBreakerState.scraped, cacheName, values);
  const evicted = (reason: string, perSecond: number) =>
    fx.counter(METRICS.cacheEvictions.scraped, { ...cacheName, [LABEL.reason]: reason }, perSecond * 60);
  return [
    {
      name: 'QuerylensCacheHitRatioLow',
      signal: hitRatio,
      levels: [{ severity: 'warning', expr: lowHitRatio, for: '10m' }],
      summary: 'A cache misses more often than it pays for.',
      description: (t) => `Cache ${t.label(LABEL.cacheName)} (${t.label(LABEL.cacheLayer)} layer) on ${t.label(LABEL.instance)} answers only ${t.value} of lookups from cache.`,
      valueFormat: 'humanizePercentage',
      cases: [
        { name: 'a quarter of busy lookups hit', series: lookups(30, 90), evalTime: EVAL_TIME,
          firing: [{ severity: 'warning', labels: fx.target(FIXTURE_CACHE), value: '25%' }] },
        { name: 'most lookups hit', series: lookups(108, 12), evalTime: EVAL_TIME, firing: [] },
        { name: 'few lookups at all', series: lookups(3, 9), evalTime: EVAL_TIME, firing: [] },
      ],
    },
    {
      name: 'QuerylensCacheEvictionsHigh',
      signal: evictions,
      levels: [{ severity: 'warning', expr: above(evictions, THRESHOLDS.cacheEvictionsPerSecond), for: '10m' }],
      summary: 'A cache evicts entries for lack of capacity at a high rate.',
      description: (t) => `Cache ${t.label(LABEL.cacheName)} on ${t.label(LABEL.instance)} evicts ${t.value} entries per second to make room: it is too small for its working set.`,
      valueFormat: 'humanize',
      cases: [
        { name: 'capacity evictions', series: [evicted(EVICTION_REASON_CAPACITY, THRESHOLDS.cacheEvictionsPerSecond * 2)],
          evalTime: EVAL_TIME, firing: [{ severity: 'warning', labels: fx.target(cacheName),
            value: String(THRESHOLDS.cacheEvictionsPerSecond * 2) }] },
        { name: 'deletes are not evictions', series: [evicted('delete', THRESHOLDS.cacheEvictionsPerSecond * 2),
          evicted(EVICTION_REASON_CAPACITY, 1)], evalTime: EVAL_TIME, firing: [] },
      ],
    },
    {
      name: 'QuerylensCacheBreakerOpen',
      signal: breakerState,
      // Not closed: an open breaker whose probes keep failing passes through half-open (1) and back.
      levels: [{ severity: 'warning', expr: above(breakerState, 0), for: THRESHOLDS.cacheBreakerOpenFor }],
      summary: 'A tiered cache has stopped using its Redis layer.',
      description: (t) => `The Redis circuit breaker of cache ${t.label(LABEL.cacheName)} on ${t.label(LABEL.instance)} has not closed (state ${t.value}; 2 is open): Redis keeps failing or timing out, so every miss goes to the loader and instances no longer share entries.`,
      valueFormat: 'humanize',
      cases: [
        { name: 'open for the whole window', series: [breaker(`${BREAKER_OPEN}x${SAMPLES}`)], evalTime: EVAL_TIME,
          firing: [{ severity: 'warning', labels: fx.target(cacheName), value: String(BREAKER_OPEN) }] },
        { name: 'failed probes between open and half-open', series: [breaker(`0x10 ${`${BREAKER_OPEN} 1 `.repeat(10)}${BREAKER_OPEN}x${SAMPLES - 30}`)],
          evalTime: EVAL_TIME, firing: [{ severity: 'warning', labels: fx.target(cacheName), value: String(BREAKER_OPEN) }] },
        { name: 'opened two minutes ago', series: [breaker(`0x23 ${BREAKER_OPEN}x${SAMPLES - 23}`)], evalTime: EVAL_TIME, firing: [] },
        { name: 'closed again after a short outage', series: [breaker(`0x10 ${BREAKER_OPEN}x3 0x${SAMPLES - 13}`)], evalTime: EVAL_TIME, firing: [] },
      ],
    },
  ];
}
