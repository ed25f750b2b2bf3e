/**
 * The counts behind every querylens cache metric, as plain numbers.
 *
 * Hot paths (a synchronous lru-cache `get`) only increment a field of a
 * `CacheCounters` object they hold; the metric exporter reads the numbers when
 * it collects (observable instruments, see cacheMetrics.ts). Counters are per
 * (layer, cache name) and shared by every cache with that name, so they live as
 * long as the name does and never go backwards when a cache is collected.
 * Names are bounded (`other` past the cap).
 *
 * Each (layer, name) keeps a history (core/minuteHistory.ts) of its hits,
 * misses and stale reads per minute: a lookup takes no clock read for it, so
 * the agent's sampler closes each minute from the counters.
 */
import { ATTR } from '../../core/metrics/registry';
import { MinuteHistory, NOTHING_COUNTED, minuteOf, type CumulativeReading, type HistoryShape, type HistoryWindow } from '../../core/minuteHistory';
import { BoundedLabels } from './boundedLabels';

export type CacheLayer = 'memory' | 'redis';
export type CacheResult = 'hit' | 'miss' | 'stale';

/** lru-cache dispose reasons; anything else is counted as `other`. */
export const EVICTION_REASONS = ['evict', 'set', 'delete', 'expire', 'fetch', 'other'] as const;
export type EvictionReason = (typeof EVICTION_REASONS)[number];

/** Distinct cache names and Redis key patterns kept before `other`. */
export const MAX_CACHE_NAMES = 100;
export const MAX_REDIS_KEY_PATTERNS = 100;

export type CacheAttributes = Readonly<Record<string, string>>;

/** hits, misses and stale reads per bucket. */
export const CACHE_HISTORY_SHAPE: HistoryShape = { counters: 3, peaks: 0, latency: false };

/**
 * What the tiered cache does beyond lookups, counted per cache name
 * (`querylens_cache_events_total{event}`): invalidations caused by the app's
 * own writes, statements `query` ran uncached and why, and the resilience
 * answers (a stale value served for a failed or slow load, a load abandoned).
 */
export const CACHE_EVENTS = [
  'write_invalidation', 'unattributed_write_invalidation',
  'bypass_not_analysed', 'bypass_uncacheable', 'bypass_uncommitted', 'bypass_invalidating',
  'grace_hit', 'soft_timeout', 'hard_timeout',
  'breaker_open', 'breaker_half_open', 'breaker_close',
  'lock_acquired', 'lock_wait', 'lock_wait_timeout',
] as const;
export type CacheEvent = (typeof CACHE_EVENTS)[number];

/** The Redis circuit breaker's states, in the order of `querylens_cache_breaker_state`'s values (0, 1, 2). */
export const BREAKER_STATES = ['closed', 'half_open', 'open'] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];

export class CacheCounters {
  hit = 0;
  miss = 0;
  stale = 0;
  errors = 0;
  readonly evictions: Record<EvictionReason, number> = { evict: 0, set: 0, delete: 0, expire: 0, fetch: 0, other: 0 };
  readonly events = Object.fromEntries(CACHE_EVENTS.map((event) => [event, 0])) as Record<CacheEvent, number>;
  /** How many live tiered caches of the name have their Redis breaker in each state. */
  readonly #breakers: Record<BreakerState, number> = { closed: 0, half_open: 0, open: 0 };
  #hadBreaker = false;
  /** Attribute objects built once, so recording never allocates them. */
  readonly nameAttributes: CacheAttributes;
  readonly layerAttributes: CacheAttributes;
  readonly history = new MinuteHistory(CACHE_HISTORY_SHAPE);

  constructor(readonly name: string, readonly layer: CacheLayer) {
    this.nameAttributes = { [ATTR.cacheName]: name };
    this.layerAttributes = { [ATTR.cacheName]: name, [ATTR.cacheLayer]: layer };
    this.history.start(minuteOf(Date.now()), NOTHING_COUNTED);
  }

  lookups(): CumulativeReading {
    return { counters: [this.hit, this.miss, this.stale] };
  }

  count(result: CacheResult): void {
    this[result] += 1;
  }

  countEvent(event: CacheEvent): void {
    this.events[event] += 1;
  }

  /**
   * The worst breaker state among the live caches of the name; `closed` once they are all closed
   * (a gauge that stopped being reported would keep its last value); undefined when none ever had one.
   */
  breakerState(): BreakerState | undefined {
    for (let index = BREAKER_STATES.length - 1; index >= 0; index -= 1) {
      if (this.#breakers[BREAKER_STATES[index]] > 0) return BREAKER_STATES[index];
    }
    return this.#hadBreaker ? 'closed' : undefined;
  }

  breakerAdded(): void {
    this.#hadBreaker = true;
    this.#breakers.closed += 1;
  }

  breakerMoved(from: BreakerState, to: BreakerState): void {
    this.#breakers[from] -= 1;
    this.#breakers[to] += 1;
  }

  breakerRemoved(state: BreakerState): void {
    this.#breakers[state] -= 1;
  }

  evicted(reason: string): void {
    const known = (EVICTION_REASONS as readonly string[]).includes(reason) ? reason as EvictionReason : 'other';
    this.evictions[known] += 1;
  }
}

/** Per layer, then per bounded name: two plain lookups, no key built per count. */
const counters: Readonly<Record<CacheLayer, Map<string, CacheCounters>>> = { memory: new Map(), redis: new Map() };
const cacheNames = new BoundedLabels(MAX_CACHE_NAMES);
const redisKeyPatterns = new BoundedLabels(MAX_REDIS_KEY_PATTERNS);

function countersFor(name: string, layer: CacheLayer): CacheCounters {
  const ofLayer = counters[layer];
  let found = ofLayer.get(name);
  if (found === undefined) {
    found = new CacheCounters(name, layer);
    ofLayer.set(name, found);
  }
  return found;
}

/** Counters of a named cache (lru-cache or tiered) in one layer; the name is bounded. */
export function cacheCounters(name: string, layer: CacheLayer): CacheCounters {
  return countersFor(cacheNames.resolve(name), layer);
}

/** Counters of a Redis key pattern used as a cache (layer `redis`); the pattern is bounded. */
export function redisPatternCounters(pattern: string): CacheCounters {
  return countersFor(redisKeyPatterns.resolve(pattern), 'redis');
}

export function* allCacheCounters(): Iterable<CacheCounters> {
  yield* counters.memory.values();
  yield* counters.redis.values();
}

/** What the entries/max gauges read from a live cache (lru-cache's public getters). */
export interface SizedCache {
  readonly size: number;
  readonly max: number;
}

/** A live cache reported by the gauges; `counters` says under which name. */
export interface LiveCacheSource {
  counters: CacheCounters;
  readonly cache: WeakRef<SizedCache>;
}

const liveCaches = new Set<LiveCacheSource>();
/** Caches are held weakly: a collected cache drops out of the gauges by itself. */
const forgetCollected = new FinalizationRegistry<LiveCacheSource>((source) => liveCaches.delete(source));

export function trackLiveCache(cache: SizedCache, cacheCountersOfName: CacheCounters): LiveCacheSource {
  const source: LiveCacheSource = { counters: cacheCountersOfName, cache: new WeakRef(cache) };
  liveCaches.add(source);
  forgetCollected.register(cache, source, source);
  return source;
}

export function untrackLiveCache(source: LiveCacheSource): void {
  liveCaches.delete(source);
  forgetCollected.unregister(source);
}

/** The live caches themselves (lru-caches and tiered memory layers), for the admin `clear-caches` action. */
export function liveCacheObjects(): SizedCache[] {
  const found: SizedCache[] = [];
  for (const source of liveCaches) {
    const cache = source.cache.deref();
    if (cache !== undefined) found.push(cache);
  }
  return found;
}

export interface CacheSizes {
  readonly counters: CacheCounters;
  entries: number;
  /** Sum of `max` over caches of the name that have one (0: none bounded by count). */
  max: number;
}

/** Entries and capacity per cache name, summed over the live caches sharing it. */
export function liveCacheSizes(): CacheSizes[] {
  const byName = new Map<CacheCounters, CacheSizes>();
  for (const source of liveCaches) {
    const cache = source.cache.deref();
    if (cache === undefined) {
      liveCaches.delete(source);
      continue;
    }
    let sizes = byName.get(source.counters);
    if (sizes === undefined) {
      sizes = { counters: source.counters, entries: 0, max: 0 };
      byName.set(source.counters, sizes);
    }
    sizes.entries += cache.size;
    sizes.max += cache.max;
  }
  return [...byName.values()];
}

/** One cache name in one layer, for the report and the status page. */
export interface CacheSummary {
  readonly name: string;
  readonly layer: CacheLayer;
  readonly hits: number;
  readonly misses: number;
  readonly stale: number;
  readonly errors: number;
  readonly evictions: Readonly<Record<EvictionReason, number>>;
  /** Memory layer only: entries held by the live caches of the name, and their capacity (0: unbounded by count). */
  readonly entries: number | undefined;
  readonly maxEntries: number | undefined;
  /** Tiered caches (memory layer's counters): the events counted, those above 0 only. */
  readonly events?: Readonly<Partial<Record<CacheEvent, number>>>;
  /** Tiered caches with Redis (Redis layer's counters): the worst breaker state of the live caches of the name. */
  readonly breaker?: BreakerState;
}

export function cacheSummaries(): CacheSummary[] {
  const sizes = new Map(liveCacheSizes().map((entry) => [entry.counters, entry]));
  return [...allCacheCounters()].map((c) => ({
    name: c.name,
    layer: c.layer,
    hits: c.hit,
    misses: c.miss,
    stale: c.stale,
    errors: c.errors,
    evictions: { ...c.evictions },
    entries: sizes.get(c)?.entries,
    maxEntries: sizes.get(c)?.max,
    ...countedEvents(c),
    ...(c.breakerState() === undefined ? {} : { breaker: c.breakerState() }),
  }));
}

function countedEvents(c: CacheCounters): { events?: Partial<Record<CacheEvent, number>> } {
  const counted = CACHE_EVENTS.filter((event) => c.events[event] > 0);
  return counted.length === 0 ? {} : { events: Object.fromEntries(counted.map((event) => [event, c.events[event]])) };
}

export interface CacheHistory extends HistoryWindow {
  readonly name: string;
  readonly layer: CacheLayer;
}

/** Closes the minutes that ended before `nowMs` for every cache name (the agent's sampler calls it). */
export function sampleCacheHistory(nowMs: number): void {
  const minute = minuteOf(nowMs);
  for (const c of allCacheCounters()) c.history.roll(minute, c.lookups());
}

/** Per cache name and layer, its buckets that end after `sinceMs`, read at `nowMs`. */
export function cacheHistories(nowMs: number, sinceMs?: number): CacheHistory[] {
  return [...allCacheCounters()].map((c) => ({ name: c.name, layer: c.layer, ...c.history.window(nowMs, c.lookups(), sinceMs) }));
}
