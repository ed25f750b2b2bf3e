/** Caches (lru-cache and the tiered Redis → memory cache): lookups, hit ratio, size, evictions, loads. */
import { METRICS } from '../../../core/metrics/registry';
import { BREAKER_EVENTS, CACHE_RESULT, LABEL, LOCK_EVENTS, RESILIENCE_EVENTS } from '../../shared/labels';
import { eq, re } from '../../shared/promql';
import type { DashboardSpec } from './dashboardBase';
import { timeseriesPanel } from './panels';
import { q, RATE } from './queries';

const byCache = [LABEL.instance, LABEL.cacheName];
const cacheLegend = `{{${LABEL.cacheName}}} {{${LABEL.instance}}}`;

export const cachesDashboard: DashboardSpec = {
  uid: 'querylens-caches',
  file: 'caches',
  title: 'querylens / Caches',
  description: 'In-process lru-cache instances and the tiered cache: how often they answer, how full they are, what they evict.',
  sections: [
    {
      title: 'Lookups',
      panels: [
        timeseriesPanel({ title: 'Lookups by result', unit: 'ops', stacked: true,
          description: 'Cache lookups per second by cache, layer and result (hit, miss, stale).',
          targets: [{ expr: q.sumRate([LABEL.cacheName, LABEL.cacheLayer, LABEL.cacheResult], METRICS.cacheRequests.scraped, RATE),
            legend: `{{${LABEL.cacheName}}} {{${LABEL.cacheLayer}}} {{${LABEL.cacheResult}}}` }] }),
        timeseriesPanel({ title: 'Hit ratio', unit: 'percentunit',
          description: 'Lookups answered from cache over all lookups, per cache and layer.',
          targets: [{ expr: q.rateRatio([LABEL.cacheName, LABEL.cacheLayer], METRICS.cacheRequests.scraped, RATE,
            [eq(LABEL.cacheResult, CACHE_RESULT.hit)]), legend: `{{${LABEL.cacheName}}} ({{${LABEL.cacheLayer}}})` }] }),
        timeseriesPanel({ title: 'Loader time on a miss', unit: 's',
          description: 'p99 and mean time of the loader a miss runs (fetchMethod or the tiered-cache loader).',
          targets: [
            { expr: q.quantile(0.99, byCache, METRICS.cacheLoadDuration, RATE), legend: `p99 ${cacheLegend}` },
            { expr: q.mean(byCache, METRICS.cacheLoadDuration, RATE), legend: `mean ${cacheLegend}` },
          ] }),
        timeseriesPanel({ title: 'Database time inside loads', unit: 's',
          description: 'p99 and mean of the database time spent by the queries a cache loader runs: what a miss costs the database.',
          targets: [
            { expr: q.quantile(0.99, byCache, METRICS.cacheLoadDatabaseDuration, RATE), legend: `p99 ${cacheLegend}` },
            { expr: q.mean(byCache, METRICS.cacheLoadDatabaseDuration, RATE), legend: `mean ${cacheLegend}` },
          ] }),
        timeseriesPanel({ title: 'Cache layer errors', unit: 'ops',
          description: 'Cache layer operations failing per second (Redis unavailable or timed out, undecodable values); the cache then answers without that layer.',
          targets: [{ expr: q.sumRate([LABEL.cacheName, LABEL.cacheLayer], METRICS.cacheErrors.scraped, RATE),
            legend: `{{${LABEL.cacheName}}} ({{${LABEL.cacheLayer}}})` }] }),
      ],
    },
    {
      title: 'Query results, invalidation and resilience',
      panels: [
        timeseriesPanel({ title: 'Tiered-cache events', unit: 'ops', stacked: true,
          description: 'Per second, by cache: invalidations caused by the app\'s own writes (write_invalidation; unattributed_write_invalidation drops every query entry), statements cache.query ran uncached, by reason (bypass_*), stale answers and timeouts, breaker transitions and cross-instance locks (the panels below single them out).',
          targets: [{ expr: q.sumRate([LABEL.cacheName, LABEL.cacheEvent], METRICS.cacheEvents.scraped, RATE),
            legend: `{{${LABEL.cacheName}}} {{${LABEL.cacheEvent}}}` }] }),
        timeseriesPanel({ title: 'Stale answers and loader timeouts', unit: 'ops',
          description: 'Per second, by cache: stale values served within the grace period because the reload failed (grace_hit) or was slower than softTimeoutMs (soft_timeout), and loaders abandoned at hardTimeoutMs (hard_timeout). Grace hits while the database is down are the grace period at work.',
          targets: [{ expr: q.sumRate([LABEL.cacheName, LABEL.cacheEvent], METRICS.cacheEvents.scraped, RATE,
            re(LABEL.cacheEvent, RESILIENCE_EVENTS.join('|'))), legend: `{{${LABEL.cacheName}}} {{${LABEL.cacheEvent}}}` }] }),
        timeseriesPanel({ title: 'Redis circuit breaker', unit: 'short',
          description: 'State of each tiered cache\'s Redis breaker, per instance: 0 closed, 1 half-open (one probe goes to Redis), 2 open (Redis skipped: memory and the loader answer).',
          targets: [{ expr: q.maxGauge(byCache, METRICS.cacheBreakerState.scraped), legend: cacheLegend }] }),
        timeseriesPanel({ title: 'Breaker transitions', unit: 'ops',
          description: 'Breaker state changes per second: breaker_open (Redis failed or timed out too often), breaker_half_open (a probe after the cooldown), breaker_close (the probe answered).',
          targets: [{ expr: q.sumRate([LABEL.cacheName, LABEL.cacheEvent], METRICS.cacheEvents.scraped, RATE,
            re(LABEL.cacheEvent, BREAKER_EVENTS.join('|'))), legend: `{{${LABEL.cacheName}}} {{${LABEL.cacheEvent}}}` }] }),
        timeseriesPanel({ title: 'Cross-instance lock', unit: 'ops',
          description: 'Per second, by cache: misses that took the key\'s Redis lock and loaded (lock_acquired), that waited for another instance\'s load (lock_wait) and, among them, that gave up after waitMs and loaded themselves (lock_wait_timeout).',
          targets: [{ expr: q.sumRate([LABEL.cacheName, LABEL.cacheEvent], METRICS.cacheEvents.scraped, RATE,
            re(LABEL.cacheEvent, LOCK_EVENTS.join('|'))), legend: `{{${LABEL.cacheName}}} {{${LABEL.cacheEvent}}}` }] }),
        timeseriesPanel({ title: 'Lock wait time', unit: 's',
          description: 'p99 and mean time a miss waited for the instance holding the key\'s lock: what the stampede protection costs the waiters, against a load of their own.',
          targets: [
            { expr: q.quantile(0.99, byCache, METRICS.cacheLockWaitDuration, RATE), legend: `p99 ${cacheLegend}` },
            { expr: q.mean(byCache, METRICS.cacheLockWaitDuration, RATE), legend: `mean ${cacheLegend}` },
          ] }),
      ],
    },
    {
      title: 'Size and evictions',
      panels: [
        timeseriesPanel({ title: 'Entries', unit: 'short',
          description: 'Entries held by each cache, and its capacity.',
          targets: [
            { expr: q.sumGauge(byCache, METRICS.cacheEntries.scraped), legend: `entries ${cacheLegend}` },
            { expr: q.maxGauge(byCache, METRICS.cacheMaxEntries.scraped), legend: `capacity ${cacheLegend}` },
          ] }),
        timeseriesPanel({ title: 'Fill ratio', unit: 'percentunit',
          description: 'Entries over capacity. A full cache with a low hit ratio is too small.',
          targets: [{ expr: `${q.sumGauge(byCache, METRICS.cacheEntries.scraped)} / ${q.maxGauge(byCache, METRICS.cacheMaxEntries.scraped)}`,
            legend: cacheLegend }] }),
        timeseriesPanel({ title: 'Evictions by reason', unit: 'ops', stacked: true,
          description: 'Entries removed per second by reason (evict: capacity, expire: TTL, delete, set: overwritten).',
          targets: [{ expr: q.sumRate([LABEL.cacheName, LABEL.reason], METRICS.cacheEvictions.scraped, RATE),
            legend: `{{${LABEL.cacheName}}} {{${LABEL.reason}}}` }] }),
      ],
    },
  ],
};
