/**
 * Maps the `status` lru-cache (v10 and v11) fills in during `get`/`fetch` to
 * the result label of `querylens_cache_requests_total`.
 */
import type { CacheResult } from './cacheStatistics';

/** The fields of lru-cache's `LRUCache.Status` that say what a lookup found. */
export interface LruLookupStatus {
  get?: string;
  fetch?: string;
}

/**
 * `get`: `hit`, `miss`, `stale` (expired, whether or not `allowStale` returned
 * it), `fetching` (a load is running: a hit only if a previous value was served),
 * `stale-fetching`.
 */
export function getResult(status: LruLookupStatus, value: unknown): CacheResult | undefined {
  switch (status.get) {
    case 'hit': return 'hit';
    case 'miss': return 'miss';
    case 'stale':
    case 'stale-fetching': return 'stale';
    case 'fetching': return value === undefined ? 'miss' : 'hit';
    default: return undefined;
  }
}

/**
 * `fetch`: `hit`; `miss` and `refresh` (a forced reload) start a load;
 * `inflight` joins a running load, which is a miss for this caller; `stale`;
 * `get` (no fetchMethod) falls back to the get status.
 */
export function fetchResult(status: LruLookupStatus, value: unknown): CacheResult | undefined {
  switch (status.fetch) {
    case 'hit': return 'hit';
    case 'miss':
    case 'refresh':
    case 'inflight': return 'miss';
    case 'stale': return 'stale';
    case 'get': return getResult(status, value);
    default: return undefined;
  }
}
