/**
 * Turns the numbers of cacheStatistics.ts into OpenTelemetry instruments.
 * Requests, evictions and errors are observable counters and entries/max are
 * observable gauges, all read at collection time, so a cache lookup costs an
 * integer increment and nothing else. Load times are histograms, recorded when
 * a load ends (loads are rare next to lookups).
 *
 * One meter at a time is bound: binding another (a new MeterProvider) moves
 * the observation there, so series are never reported twice.
 */
import type { BatchObservableResult, Histogram, Meter, Observable } from '@opentelemetry/api';
import { ATTR, METRICS } from '../../core/metrics/registry';
import { createHistogram, createObservableCounter, createObservableGauge } from '../../core/metrics/instruments';
import { reportAgentError } from '../../core/agentErrors';
import {
  type CacheCounters, type CacheResult, BREAKER_STATES, CACHE_EVENTS, EVICTION_REASONS, allCacheCounters, liveCacheSizes,
} from './cacheStatistics';

interface Binding {
  readonly meter: Meter;
  readonly observables: Observable[];
  readonly observe: (result: BatchObservableResult) => void;
  readonly loadDuration: Histogram;
  readonly loadDatabaseDuration: Histogram;
  readonly lockWaitDuration: Histogram;
}

let binding: Binding | undefined;

const RESULTS: readonly CacheResult[] = ['hit', 'miss', 'stale'];

export function bindCacheMetrics(meter: Meter): void {
  if (binding?.meter === meter) return;
  unbindCacheMetrics();
  const requests = createObservableCounter(meter, METRICS.cacheRequests);
  const evictions = createObservableCounter(meter, METRICS.cacheEvictions);
  const errors = createObservableCounter(meter, METRICS.cacheErrors);
  const events = createObservableCounter(meter, METRICS.cacheEvents);
  const entries = createObservableGauge(meter, METRICS.cacheEntries);
  const maxEntries = createObservableGauge(meter, METRICS.cacheMaxEntries);
  const breakerState = createObservableGauge(meter, METRICS.cacheBreakerState);
  const observe = (result: BatchObservableResult): void => {
    try {
      for (const counters of allCacheCounters()) {
        for (const outcome of RESULTS) {
          if (counters[outcome] > 0) result.observe(requests, counters[outcome], { ...counters.layerAttributes, [ATTR.cacheResult]: outcome });
        }
        if (counters.errors > 0) result.observe(errors, counters.errors, counters.layerAttributes);
        const breaker = counters.breakerState();
        if (breaker !== undefined) result.observe(breakerState, BREAKER_STATES.indexOf(breaker), counters.nameAttributes);
        for (const event of CACHE_EVENTS) {
          const count = counters.events[event];
          if (count > 0) result.observe(events, count, { ...counters.nameAttributes, [ATTR.cacheEvent]: event });
        }
        for (const reason of EVICTION_REASONS) {
          const count = counters.evictions[reason];
          if (count > 0) result.observe(evictions, count, { ...counters.nameAttributes, [ATTR.reason]: reason });
        }
      }
      for (const sizes of liveCacheSizes()) {
        result.observe(entries, sizes.entries, sizes.counters.nameAttributes);
        if (sizes.max > 0) result.observe(maxEntries, sizes.max, sizes.counters.nameAttributes);
      }
    } catch (error) {
      reportAgentError('cache-metrics', error);
    }
  };
  const observables = [requests, evictions, errors, events, entries, maxEntries, breakerState];
  meter.addBatchObservableCallback(observe, observables);
  binding = {
    meter,
    observables,
    observe,
    loadDuration: createHistogram(meter, METRICS.cacheLoadDuration),
    loadDatabaseDuration: createHistogram(meter, METRICS.cacheLoadDatabaseDuration),
    lockWaitDuration: createHistogram(meter, METRICS.cacheLockWaitDuration),
  };
}

export function unbindCacheMetrics(): void {
  if (binding === undefined) return;
  binding.meter.removeBatchObservableCallback(binding.observe, binding.observables);
  binding = undefined;
}

/** One finished load: loader time and the database time spent inside it. */
export function recordCacheLoad(counters: CacheCounters, seconds: number, databaseSeconds: number): void {
  if (binding === undefined) return;
  binding.loadDuration.record(seconds, counters.nameAttributes);
  binding.loadDatabaseDuration.record(databaseSeconds, counters.nameAttributes);
}

/** One wait for another instance's load of a key (the cross-instance lock). */
export function recordLockWait(counters: CacheCounters, seconds: number): void {
  binding?.lockWaitDuration.record(seconds, counters.nameAttributes);
}
