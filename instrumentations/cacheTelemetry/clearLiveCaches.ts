/**
 * The admin `clear-caches` action: empties every in-process cache querylens
 * reports (instrumented lru-caches and tiered caches' memory layers). Redis is
 * left alone: it is shared with other processes, which did not ask.
 */
import { liveCacheObjects } from './cacheStatistics';

interface Clearable {
  clear(): void;
}

function isClearable(cache: object): cache is Clearable {
  return typeof (cache as Partial<Clearable>).clear === 'function';
}

/** Number of caches cleared. A cache whose `clear` throws (a user's dispose) is skipped, not fatal. */
export function clearLiveCaches(): { cleared: number; failed: number } {
  let cleared = 0;
  let failed = 0;
  for (const cache of liveCacheObjects()) {
    if (!isClearable(cache)) continue;
    try {
      cache.clear();
      cleared += 1;
    } catch {
      failed += 1;
    }
  }
  return { cleared, failed };
}
