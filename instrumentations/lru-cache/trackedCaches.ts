/**
 * The lru-cache instances querylens reports, each with the counters of its
 * (bounded) name. Held weakly: tracking never keeps a cache alive.
 */
import {
  type CacheCounters, type LiveCacheSource, type SizedCache, cacheCounters, trackLiveCache,
} from '../cacheTelemetry/cacheStatistics';

export interface TrackedCache {
  counters: CacheCounters;
  /** Set once the cache object exists (the counters are needed while it is being built). */
  source: LiveCacheSource | undefined;
}

const tracked = new WeakMap<object, TrackedCache>();

export function newTrackedCache(name: string): TrackedCache {
  return { counters: cacheCounters(name, 'memory'), source: undefined };
}

/** Adds a built cache to the gauges and to `nameCache`'s lookup. */
export function trackCache(cache: SizedCache, state: TrackedCache): void {
  state.source = trackLiveCache(cache, state.counters);
  tracked.set(cache, state);
}

function isSizedCache(value: unknown): value is SizedCache {
  return typeof value === 'object' && value !== null
    && typeof (value as Partial<SizedCache>).size === 'number' && typeof (value as Partial<SizedCache>).max === 'number';
}

/**
 * Names a cache in querylens metrics (`cache_name`), instead of its creation
 * site. Call it right after creating the cache; counts made before keep the
 * old name. A cache created before querylens patched lru-cache (or from a
 * bundled copy) is added to the entries/max gauges only. Returns the cache.
 */
export function nameCache<C extends object>(cache: C, name: string): C {
  try {
    const label = String(name).trim().slice(0, 100);
    if (label === '') return cache;
    const state = tracked.get(cache);
    if (state !== undefined) {
      state.counters = cacheCounters(label, 'memory');
      if (state.source !== undefined) state.source.counters = state.counters;
    } else if (isSizedCache(cache)) {
      trackCache(cache, newTrackedCache(label));
    }
  } catch {
    // Naming is a convenience: it never throws into the app.
  }
  return cache;
}
