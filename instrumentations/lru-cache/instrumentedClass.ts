/**
 * The instrumented `LRUCache`: a subclass of the library's own class, so
 * instances are real LRUCache objects (`instanceof`, private fields, statics,
 * user subclasses all keep working). It adds, per instance:
 * - hit/miss/stale counts of `get` and `fetch`, read from lru-cache's own
 *   `status` object (an integer increment per lookup);
 * - eviction counts by dispose reason, through a `dispose` that calls the
 *   user's one with the same arguments and receiver;
 * - a measured loader scope (span, load time, database time) around the
 *   user's `fetchMethod`.
 * `set`, `has`, `peek` and the rest are inherited untouched.
 */
import { runLoader } from '../cacheTelemetry/loaderScope';
import { type LruLookupStatus, fetchResult, getResult } from '../cacheTelemetry/lruLookupResult';
import type { CacheResult, SizedCache } from '../cacheTelemetry/cacheStatistics';
import { callSiteName } from './callSiteName';
import { type TrackedCache, newTrackedCache, trackCache } from './trackedCaches';

/**
 * Set on the options of a cache querylens must leave alone (the tiered cache's
 * memory layer, which records its own metrics). A registered symbol, so any
 * copy of querylens recognises it.
 */
export const UNTRACKED_CACHE = Symbol.for('querylens.lru-cache.untracked');

type DisposeFunction = (this: unknown, value: unknown, key: unknown, reason: string) => unknown;
type FetchMethod = (this: unknown, key: unknown, staleValue: unknown, options: unknown) => unknown;

export interface LruCacheOptionsLike {
  dispose?: unknown;
  fetchMethod?: unknown;
  [UNTRACKED_CACHE]?: boolean;
}

interface LookupOptions {
  status?: LruLookupStatus;
}

export interface LruCacheInstance extends SizedCache {
  readonly noDeleteOnStaleGet: boolean;
  get(key: unknown, options?: LookupOptions): unknown;
  fetch(key: unknown, options?: LookupOptions): unknown;
}

export type LruCacheClass = new (options: LruCacheOptionsLike) => LruCacheInstance;

function countingDispose(state: TrackedCache, userDispose: DisposeFunction | undefined): DisposeFunction {
  return function dispose(this: unknown, value: unknown, key: unknown, reason: string): unknown {
    state.counters.evicted(reason);
    return userDispose?.call(this, value, key, reason);
  };
}

function measuredFetchMethod(state: TrackedCache, userFetch: FetchMethod): FetchMethod {
  return function fetchMethod(this: unknown, key: unknown, staleValue: unknown, options: unknown): unknown {
    return runLoader(state.counters, () => userFetch.call(this, key, staleValue, options));
  };
}

/**
 * The options lru-cache sees: the user's object as prototype (nothing copied,
 * getters and inherited fields still read through) with our dispose and
 * fetchMethod on top. The user's object is not modified.
 */
function instrumentedOptions(options: LruCacheOptionsLike, state: TrackedCache): LruCacheOptionsLike {
  const overrides: PropertyDescriptorMap = {
    dispose: { value: countingDispose(state, typeof options.dispose === 'function' ? options.dispose as DisposeFunction : undefined), enumerable: true },
  };
  if (typeof options.fetchMethod === 'function') {
    overrides.fetchMethod = { value: measuredFetchMethod(state, options.fetchMethod as FetchMethod), enumerable: true };
  }
  return Object.create(options, overrides) as LruCacheOptionsLike;
}

type Classify = (status: LruLookupStatus, value: unknown) => CacheResult | undefined;

function countLookup(state: TrackedCache, result: CacheResult | undefined): void {
  if (result !== undefined) state.counters.count(result);
}

/**
 * A lookup with options from the caller: their object is used as is (lru-cache
 * itself writes `status` onto it), and `status` is put back to undefined
 * afterwards when it was ours.
 */
function countedLookupWithOptions(state: TrackedCache, options: LookupOptions, lookup: (options: LookupOptions) => unknown, classify: Classify): unknown {
  const status = options.status ?? {};
  const ownStatus = options.status === undefined;
  options.status = status;
  try {
    const value = lookup(options);
    countLookup(state, classify(status, value));
    return value;
  } finally {
    if (ownStatus) options.status = undefined;
  }
}

export function instrumentLruCacheClass(Base: LruCacheClass): LruCacheClass {
  class LRUCache extends Base {
    readonly #querylens: TrackedCache | undefined;
    readonly #userDispose: unknown;
    readonly #userFetchMethod: unknown;
    /** lru-cache v10's fetch() without a fetchMethod calls the public get(): that lookup is the fetch's, counted once. */
    #insideFetch = false;

    constructor(options: LruCacheOptionsLike) {
      const state = typeof options === 'object' && options !== null && options[UNTRACKED_CACHE] !== true
        ? newTrackedCache(callSiteName(new.target))
        : undefined;
      super(state === undefined ? options : instrumentedOptions(options, state));
      this.#userDispose = state === undefined ? undefined : options.dispose;
      this.#userFetchMethod = state === undefined ? undefined : options.fetchMethod;
      this.#querylens = state;
      if (state !== undefined) trackCache(this, state);
    }

    /** The user's dispose, as without querylens. */
    get dispose(): unknown {
      return this.#querylens === undefined ? Reflect.get(Base.prototype, 'dispose', this) : this.#userDispose;
    }

    /** The user's fetchMethod, as without querylens. */
    get fetchMethod(): unknown {
      return this.#querylens === undefined ? Reflect.get(Base.prototype, 'fetchMethod', this) : this.#userFetchMethod;
    }

    override get(key: unknown, options?: LookupOptions): unknown {
      const state = this.#querylens;
      if (state === undefined || this.#insideFetch) return super.get(key, options);
      if (options === undefined && !this.noDeleteOnStaleGet && this.#userFetchMethod === undefined) {
        // The common call, without any allocation: lru-cache deletes a stale
        // entry it finds (dispose reason `expire`, which our dispose counts),
        // so a change in that count means stale; otherwise the value says
        // hit or miss. (Caches with a fetchMethod or noDeleteOnStaleGet
        // need the status object below to tell these apart.)
        const expiredBefore = state.counters.evictions.expire;
        const value = super.get(key);
        const counters = state.counters;
        if (counters.evictions.expire !== expiredBefore) counters.stale += 1;
        else if (value === undefined) counters.miss += 1;
        else counters.hit += 1;
        return value;
      }
      if (options === undefined) {
        const status: LruLookupStatus = {};
        const value = super.get(key, { status });
        countLookup(state, getResult(status, value));
        return value;
      }
      if (typeof options !== 'object' || options === null) return super.get(key, options);
      return countedLookupWithOptions(state, options, (withStatus) => super.get(key, withStatus), getResult);
    }

    override fetch(key: unknown, options?: LookupOptions): unknown {
      const state = this.#querylens;
      if (state === undefined || (options !== undefined && (typeof options !== 'object' || options === null))) return super.fetch(key, options);
      // The returned promise is not the value: the status alone says what was found.
      this.#insideFetch = true;
      try {
        return countedLookupWithOptions(state, options ?? {}, (withStatus) => super.fetch(key, withStatus), (status) => fetchResult(status, undefined));
      } finally {
        this.#insideFetch = false;
      }
    }
  }
  Object.defineProperty(LRUCache, 'name', { value: Base.name });
  return LRUCache;
}
