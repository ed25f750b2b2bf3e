/**
 * The tiered cache's memory layer: an lru-cache bounded in entries and,
 * optionally, in bytes (the serialized size of each entry), with an index
 * from tag to the keys it holds. It records its own lookups and evictions, so
 * the lru-cache instrumentation is told to leave it alone.
 */
import { LRUCache } from 'lru-cache';
import { getResult, type LruLookupStatus } from '../instrumentations/cacheTelemetry/lruLookupResult';
import { type CacheCounters, type LiveCacheSource, trackLiveCache, untrackLiveCache } from '../instrumentations/cacheTelemetry/cacheStatistics';
import { UNTRACKED_CACHE } from '../instrumentations/lru-cache/instrumentedClass';

export interface MemoryEntry<V> {
  /** undefined for a cached "not found". */
  readonly value: V | undefined;
  readonly tags: readonly string[];
  /** Serialized size plus key length, what `maxBytes` bounds. */
  readonly bytes: number;
  /** Epoch ms its TTL ends; kept longer only for a grace period, and then a stale entry. */
  readonly freshUntil: number;
}

export interface MemoryLimits {
  readonly max: number;
  readonly maxBytes?: number;
  /**
   * The longest an entry is kept, whatever its own TTL: a short memory TTL
   * under a longer Redis one bounds how long an instance serves its own copy
   * (say, after missing an invalidation) while Redis still spares the loader.
   */
  readonly ttlMs?: number;
}

export class MemoryLayer<V> {
  readonly #entries: LRUCache<string, MemoryEntry<V>>;
  readonly #keysByTag = new Map<string, Set<string>>();
  readonly #counters: CacheCounters;
  readonly #gauges: LiveCacheSource;
  readonly #maxTtlMs: number;

  constructor(limits: MemoryLimits, counters: CacheCounters) {
    this.#counters = counters;
    this.#maxTtlMs = limits.ttlMs ?? Number.POSITIVE_INFINITY;
    const options: LRUCache.Options<string, MemoryEntry<V>, unknown> & { [UNTRACKED_CACHE]: true } = {
      max: limits.max,
      dispose: (entry, key, reason) => {
        counters.evicted(reason);
        this.#unindex(key, entry.tags);
      },
      [UNTRACKED_CACHE]: true,
    };
    if (limits.maxBytes !== undefined) {
      options.maxSize = limits.maxBytes;
      options.sizeCalculation = (entry) => Math.max(1, entry.bytes);
    }
    this.#entries = new LRUCache(options);
    this.#gauges = trackLiveCache(this.#entries, counters);
  }

  /** The entry (counted as a hit, or stale past its TTL within a grace period), or undefined (a miss). */
  lookup(key: string): MemoryEntry<V> | undefined {
    const status: LruLookupStatus = {};
    const entry = this.#entries.get(key, { status: status as LRUCache.Status<string, MemoryEntry<V>> });
    const result = getResult(status, entry);
    if (result !== undefined) this.#counters.count(result === 'hit' && entry !== undefined && entry.freshUntil <= Date.now() ? 'stale' : result);
    return entry;
  }

  store(key: string, entry: MemoryEntry<V>, ttlMs: number): void {
    this.#entries.set(key, entry, { ttl: Math.min(ttlMs, this.#maxTtlMs) });
    // An entry too large for maxBytes is not stored: do not index it.
    if (!this.#entries.has(key)) return;
    for (const tag of entry.tags) {
      let keys = this.#keysByTag.get(tag);
      if (keys === undefined) {
        keys = new Set();
        this.#keysByTag.set(tag, keys);
      }
      keys.add(key);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  /** Runs on every write to a cached table, usually with nothing left under the tag: that case allocates nothing. */
  deleteTag(tag: string): void {
    const keys = this.#keysByTag.get(tag);
    if (keys === undefined) return;
    this.#keysByTag.delete(tag);
    for (const key of keys) this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  /** Stops reporting this layer in the entries/max gauges and drops its entries. */
  close(): void {
    untrackLiveCache(this.#gauges);
    this.clear();
  }

  #unindex(key: string, tags: readonly string[]): void {
    for (const tag of tags) {
      const keys = this.#keysByTag.get(tag);
      if (keys === undefined) continue;
      keys.delete(key);
      if (keys.size === 0) this.#keysByTag.delete(tag);
    }
  }
}
