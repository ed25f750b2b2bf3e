/**
 * The tiered cache (`querylens/cache`): memory (lru-cache) first, then Redis,
 * then the loader. Single flight per key, in the process and across instances
 * (a Redis lock per key), TTL with jitter, optional negative caching, tags,
 * invalidations shared by every instance of the same name over Redis pub/sub,
 * a memory bound in entries and bytes. Redis trouble is counted and routed
 * around, and a circuit breaker stops asking a Redis that keeps failing; no
 * call ever rejects because of Redis, and no rejection is ever left unhandled.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { reportAgentError } from '../core/agentErrors';
import { type BreakerState, type CacheCounters, type CacheEvent, cacheCounters } from '../instrumentations/cacheTelemetry/cacheStatistics';
import { recordLockWait } from '../instrumentations/cacheTelemetry/cacheMetrics';
import { type BreakerSettings, CircuitBreaker, DEFAULT_BREAKER } from './circuitBreaker';
import { freshOrStale, type LoadOutcome, withHardTimeout } from './loadDeadlines';
import { decodeEnvelope, encodeEnvelope, type Envelope } from './envelope';
import { InvalidationBus, encodeInvalidation, type Invalidation } from './invalidationBus';
import { runLoader, type StatementTrail } from '../instrumentations/cacheTelemetry/loaderScope';
import { MemoryLayer, type MemoryEntry, type MemoryLimits } from './memoryLayer';
import { PendingInvalidations } from './pendingInvalidations';
import { onClientEvent } from './clientEvents';
import { RedisLayer } from './redisLayer';
import { DEFAULT_LEASE_MS, type LockOutcome, type LockSettings, RedisLock } from './redisLock';
import { tieredKeys } from '../instrumentations/cacheTelemetry/tieredKeys';
import { jitteredTtl } from './ttlJitter';
import { QueryCaching, type QueryAnswer, type QueryCacheOptions, type QueryRunner } from './queryCaching';

export interface CacheSerializer<V> {
  serialize(value: V): string;
  deserialize(text: string): V;
}

export interface TieredCacheOptions<V> {
  /** Shared by every instance that should share entries and invalidations; also `cache_name`. Letters, digits, `_.-`, up to 64. */
  readonly name: string;
  /** An ioredis client (not in subscriber mode). Without it the cache is memory only. */
  readonly redis?: Redis;
  /**
   * `max` entries; `maxBytes` bounds the sum of serialized sizes (plus key
   * lengths); `ttlMs` is the longest an entry stays in memory (default: its
   * own TTL), after which it is read from Redis again.
   */
  readonly memory: MemoryLimits;
  /** How long an entry lives (in Redis, and in memory unless `memory.ttlMs` is shorter). */
  readonly ttlMs: number;
  /** Fraction of the TTL taken off at random (0 to 1, default 0.1): entries written together expire apart. */
  readonly jitter?: number;
  /** Caches a loader's `undefined` ("not found") for this long; without it `undefined` is not cached. */
  readonly negativeTtlMs?: number;
  /** Default JSON. */
  readonly serializer?: CacheSerializer<V>;
  /** Longest wait for a Redis answer before going on without it (default 250 ms). */
  readonly redisTimeoutMs?: number;
  /**
   * Keeps each entry this long past its TTL, as a stale value served (and counted) when its
   * reload fails, times out or, with `softTimeoutMs`, is slow. Without it an expired entry is gone.
   */
  readonly graceMs?: number;
  /** With a stale value at hand, a reload slower than this is answered from it and goes on in the background. */
  readonly softTimeoutMs?: number;
  /** A loader slower than this is abandoned: the stale value if there is one, else a `LoaderTimeoutError`. */
  readonly hardTimeoutMs?: number;
  /**
   * One load per key across instances (on by default with Redis): a miss takes the key's lock in
   * Redis, the other instances wait up to `waitMs` for the value it stores, then load themselves.
   * `leaseMs` (default `hardTimeoutMs`, else 5 s) bounds how long a crashed holder blocks the key;
   * `waitMs` defaults to the lease. `false`: single flight per process only.
   */
  readonly stampedeLock?: Partial<LockSettings> | false;
  /**
   * The Redis layer's circuit breaker (on by default): after `failures` (5) consecutive Redis
   * failures or timeouts within `windowMs` (10 s), Redis is skipped for `cooldownMs` (5 s), then one
   * call probes it. `false`: every call tries Redis (each still bounded by `redisTimeoutMs`).
   */
  readonly breaker?: Partial<BreakerSettings> | false;
}

export interface CacheEntryOptions<V = unknown> {
  /** A number, or a function of the loaded value (adaptive TTL: say, longer for a finished order than an open one). */
  readonly ttlMs?: number | ((value: V) => number);
  /** `invalidateTag(tag)` removes every entry carrying the tag, in every instance; a function of the loaded value sets them from it. */
  readonly tags?: readonly string[] | ((value: V) => readonly string[]);
}

export type CacheLoader<V> = () => V | undefined | Promise<V | undefined>;

export interface TieredCache<V> {
  readonly name: string;
  /** The cached value, else the loader's (stored for the next callers). Rejects only with the loader's error. */
  get(key: string, loader: CacheLoader<V>, options?: CacheEntryOptions<V>): Promise<V | undefined>;
  set(key: string, value: V, options?: CacheEntryOptions<V>): Promise<void>;
  delete(key: string): Promise<void>;
  invalidateTag(tag: string): Promise<void>;
  /** `fn` with its results cached under `keyFn(...args)` (default: the function name and JSON of the arguments). */
  wrap<A extends unknown[]>(fn: (...args: A) => V | undefined | Promise<V | undefined>, keyFn?: (...args: A) => string,
    options?: CacheEntryOptions<V>): (...args: A) => Promise<V | undefined>;
  /**
   * `runner.query(text, values)` (a pg Pool or Client) with its rows cached, tagged with the
   * tables the statement reads and invalidated by the app's own writes to them (queryCaching.ts).
   */
  query<R = Record<string, unknown>>(runner: QueryRunner, text: string, values?: readonly unknown[],
    options?: QueryCacheOptions): Promise<QueryAnswer<R>>;
  /** `fn`, a function that runs SQL, with its results cached and tagged with every table its statements read. */
  wrapQueries<A extends unknown[], T>(fn: (...args: A) => T | Promise<T>, keyFn?: (...args: A) => string,
    options?: QueryCacheOptions): (...args: A) => Promise<T>;
  /**
   * Stops the invalidation subscriber and drops the memory layer. The cache
   * still answers afterwards (Redis, then the loader) but no longer keeps
   * values in memory, since it would not hear about invalidations.
   */
  close(): Promise<void>;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const DEFAULT_JITTER = 0.1;
const DEFAULT_REDIS_TIMEOUT_MS = 250;

function jsonSerializer<V>(): CacheSerializer<V> {
  return { serialize: (value) => JSON.stringify(value), deserialize: (text) => JSON.parse(text) as V };
}

function requirePositiveInteger(value: unknown, what: string): void {
  if (!Number.isSafeInteger(value) || (value as number) <= 0) throw new TypeError(`createTieredCache: ${what} must be a positive integer, got ${String(value)}`);
}

function validate<V>(options: TieredCacheOptions<V>): void {
  if (!NAME.test(options.name)) throw new TypeError(`createTieredCache: name must match ${NAME}, got ${JSON.stringify(options.name)}`);
  requirePositiveInteger(options.memory?.max, 'memory.max');
  if (options.memory.maxBytes !== undefined) requirePositiveInteger(options.memory.maxBytes, 'memory.maxBytes');
  if (options.memory.ttlMs !== undefined) requirePositiveInteger(options.memory.ttlMs, 'memory.ttlMs');
  requirePositiveInteger(options.ttlMs, 'ttlMs');
  if (options.negativeTtlMs !== undefined) requirePositiveInteger(options.negativeTtlMs, 'negativeTtlMs');
  for (const name of ['redisTimeoutMs', 'graceMs', 'softTimeoutMs', 'hardTimeoutMs'] as const) {
    if (options[name] !== undefined) requirePositiveInteger(options[name], name);
  }
  for (const [group, settings] of [['stampedeLock', options.stampedeLock], ['breaker', options.breaker]] as const) {
    if (settings === false || settings === undefined) continue;
    for (const [name, value] of Object.entries(settings)) if (value !== undefined) requirePositiveInteger(value, `${group}.${name}`);
  }
  const jitter = options.jitter ?? DEFAULT_JITTER;
  if (!(jitter >= 0 && jitter <= 1)) throw new TypeError(`createTieredCache: jitter must be between 0 and 1, got ${String(options.jitter)}`);
}

/** A load in progress; invalidations that arrive meanwhile keep its result out of the cache. */
interface Flight {
  promise: Promise<LoadOutcome>;
  /** A reload still running after a stale answer (soft timeout): later callers get that answer until it ends. */
  background: Promise<void> | undefined;
  invalidated: boolean;
  /** `any` when the tags are known only from the loaded value: every tag invalidation keeps it out. */
  readonly tags: readonly string[] | 'any';
}

/** How one load is stored: TTL and tags from the loaded value (undefined tags: do not store it). */
export interface StorePolicy {
  readonly codec: CacheSerializer<unknown>;
  ttlMs(value: unknown): number | undefined;
  tags(value: unknown): readonly string[] | undefined;
  /** Known before the load: what in-flight invalidations are matched against. */
  readonly knownTags: readonly string[] | 'any';
}

class Tiered<V> implements TieredCache<V> {
  readonly name: string;
  readonly #ttlMs: number;
  readonly #jitter: number;
  readonly #negativeTtlMs: number | undefined;
  readonly #graceMs: number;
  readonly #softTimeoutMs: number | undefined;
  readonly #hardTimeoutMs: number | undefined;
  readonly #count = (event: CacheEvent): void => this.#memoryCounters.countEvent(event);
  readonly #serializer: CacheSerializer<V>;
  readonly #memoryCounters: CacheCounters;
  readonly #redisCounters: CacheCounters;
  readonly #memory: MemoryLayer<unknown>;
  readonly #redis: RedisLayer | undefined;
  readonly #lock: RedisLock | undefined;
  readonly #breaker: CircuitBreaker | undefined;
  #probeTimer: NodeJS.Timeout | undefined;
  readonly #bus: InvalidationBus | undefined;
  readonly #self = randomUUID();
  readonly #flights = new Map<string, Flight>();
  readonly #pending = new PendingInvalidations();
  readonly #queries: QueryCaching;
  #stopReplayOnReady: (() => void) | undefined;
  /**
   * On reconnection, after any Redis answer while some are pending (Redis may have been slow, not
   * disconnected), and when the breaker closes or its cooldown ends.
   */
  readonly #replayPending = (): void => {
    for (const invalidation of this.#pending.drain()) {
      this.#invalidateInRedis(invalidation).catch((error: unknown) => reportAgentError('tiered-cache', error));
    }
  };
  #closed = false;

  constructor(options: TieredCacheOptions<V>) {
    this.name = options.name;
    this.#ttlMs = options.ttlMs;
    this.#jitter = options.jitter ?? DEFAULT_JITTER;
    this.#negativeTtlMs = options.negativeTtlMs;
    this.#graceMs = options.graceMs ?? 0;
    this.#softTimeoutMs = options.softTimeoutMs;
    this.#hardTimeoutMs = options.hardTimeoutMs;
    this.#serializer = options.serializer ?? jsonSerializer<V>();
    this.#memoryCounters = cacheCounters(options.name, 'memory');
    this.#redisCounters = cacheCounters(options.name, 'redis');
    this.#memory = new MemoryLayer<unknown>(options.memory, this.#memoryCounters);
    if (options.redis !== undefined) {
      const keys = tieredKeys(options.name);
      const breaker = options.breaker === false ? undefined : this.#createBreaker({ ...DEFAULT_BREAKER, ...options.breaker });
      this.#breaker = breaker;
      this.#stopReplayOnReady = onClientEvent(options.redis, 'ready', () => {
        breaker?.endCooldown();
        this.#replayPending();
      });
      this.#redis = new RedisLayer(options.redis, keys, this.#redisCounters, options.redisTimeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS, this.#breaker);
      if (options.stampedeLock !== false) {
        const leaseMs = options.stampedeLock?.leaseMs ?? options.hardTimeoutMs ?? DEFAULT_LEASE_MS;
        this.#lock = new RedisLock(this.#redis, { leaseMs, waitMs: options.stampedeLock?.waitMs ?? leaseMs });
      }
      this.#bus = new InvalidationBus({
        client: options.redis,
        channel: keys.channel,
        self: this.#self,
        counters: this.#redisCounters,
        onInvalidation: (invalidation) => this.#applyLocally(invalidation),
        onResubscribed: () => this.#memory.clear(),
      });
    }
    this.#queries = new QueryCaching({
      counters: this.#memoryCounters,
      load: (key, loader, policy, trail) => this.#load(key, loader, policy, trail),
      dropTagLocally: (tag) => this.#applyLocally({ tag }),
      sharedThroughRedis: this.#redis !== undefined,
      awaitsReplay: (tag) => this.#pending.hasTag(tag),
      invalidateTagsInRedis: (tags, told) => this.#invalidateTagsInRedis(tags, told),
      defaultTtlMs: this.#ttlMs,
    });
  }

  async get(key: string, loader: CacheLoader<V>, options: CacheEntryOptions<V> = {}): Promise<V | undefined> {
    return (await this.#load(key, loader, this.#policy(options))).value as V | undefined;
  }

  /** The policy of `get` and `set`: the cache's serializer, the entry's TTL and tags or the functions that choose them. */
  #policy(options: CacheEntryOptions<V>): StorePolicy {
    const { ttlMs, tags } = options;
    return {
      codec: this.#serializer as CacheSerializer<unknown>,
      ttlMs: typeof ttlMs === 'function' ? (value) => ttlMs(value as V) : () => ttlMs,
      tags: typeof tags === 'function' ? (value) => tags(value as V) : () => tags ?? [],
      knownTags: typeof tags === 'function' ? 'any' : tags ?? [],
    };
  }

  async #load(key: string, loader: () => unknown, policy: StorePolicy, trail?: StatementTrail): Promise<LoadOutcome> {
    const entry = this.#closed ? undefined : this.#memory.lookup(key);
    if (entry !== undefined && entry.freshUntil > Date.now()) return { value: entry.value, stale: false };
    const running = this.#flights.get(key);
    if (running !== undefined) return running.promise;
    const flight: Flight = { promise: Promise.resolve({ value: undefined, stale: false }), background: undefined, invalidated: false, tags: policy.knownTags };
    flight.promise = this.#fill(key, loader, policy, flight, trail, entry);
    this.#flights.set(key, flight);
    const forget = (): void => {
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
    };
    flight.promise.then(() => flight.background).then(forget, forget);
    return flight.promise;
  }

  async #fill(key: string, loader: () => unknown, policy: StorePolicy, flight: Flight, trail: StatementTrail | undefined,
    staleInMemory: MemoryEntry<unknown> | undefined): Promise<LoadOutcome> {
    const stored = await this.#readRedis(key, policy.codec);
    if (stored !== undefined && stored.freshUntil > Date.now()) {
      if (!flight.invalidated) this.#remember(key, stored);
      return { value: stored.value, stale: false };
    }
    const stale = stored ?? staleInMemory;
    const loading = this.#loadOnce(key, loader, policy, flight, trail);
    if (stale === undefined) return { value: await loading, stale: false };
    flight.background = loading.then(() => undefined, () => undefined);
    return freshOrStale(loading, stale.value, this.#softTimeoutMs, this.#count);
  }

  /** The load, run here or, with the stampede lock, by whichever instance holds the key's lock. */
  async #loadOnce(key: string, loader: () => unknown, policy: StorePolicy, flight: Flight, trail: StatementTrail | undefined): Promise<unknown> {
    if (this.#lock === undefined) return this.#loadAndStore(key, loader, policy, flight, trail);
    // What the waiters look for: an entry stored by the holder, not one that had expired before this miss (kept for its grace period).
    const now = Date.now();
    const outcome = await this.#lock.acquireOrWait(key, (text) => (decodeEnvelope(text)?.expiresAt ?? 0) > now);
    this.#countLock(outcome);
    if (outcome.kind === 'held') {
      try {
        return await this.#loadAndStore(key, loader, policy, flight, trail);
      } finally {
        await outcome.release();
      }
    }
    if (outcome.kind === 'stored') {
      const entry = this.#decodeStored(key, outcome.text, policy.codec);
      if (entry !== undefined) {
        if (!flight.invalidated) this.#remember(key, entry);
        return entry.value;
      }
    }
    return this.#loadAndStore(key, loader, policy, flight, trail);
  }

  #countLock(outcome: LockOutcome): void {
    if (outcome.kind === 'held') this.#count('lock_acquired');
    if (outcome.kind === 'load' && outcome.reason === 'timeout') this.#count('lock_wait_timeout');
    if (outcome.kind === 'held' || outcome.waitedMs === undefined) return;
    this.#count('lock_wait');
    recordLockWait(this.#memoryCounters, outcome.waitedMs / 1000);
  }

  async #loadAndStore(key: string, loader: () => unknown, policy: StorePolicy, flight: Flight, trail: StatementTrail | undefined): Promise<unknown> {
    const value = await withHardTimeout(Promise.resolve(runLoader(this.#memoryCounters, loader, trail)), this.#hardTimeoutMs, this.#count);
    if (!flight.invalidated) await this.#store(key, value, policy);
    return value;
  }

  /** A fresh entry, or with a grace period a stale one (expired but kept); undefined for a miss or when Redis could not answer. */
  async #readRedis(key: string, codec: CacheSerializer<unknown>): Promise<MemoryEntry<unknown> | undefined> {
    if (this.#redis === undefined) return undefined;
    const text = await this.#redis.read(key);
    if (text === undefined) return undefined;
    if (this.#pending.size > 0) this.#replayPending();
    const entry = text === null ? undefined : this.#decodeStored(key, text, codec);
    const expired = entry !== undefined && entry.freshUntil <= Date.now();
    if (entry === undefined || (expired && this.#graceMs === 0)) {
      this.#redisCounters.count('miss');
      return undefined;
    }
    this.#redisCounters.count(expired ? 'stale' : 'hit');
    return entry;
  }

  /** The entry a stored text holds; undefined (and a counted error) for text that is not an envelope or a value that does not decode. */
  #decodeStored(key: string, text: string, codec: CacheSerializer<unknown>): MemoryEntry<unknown> | undefined {
    const envelope = decodeEnvelope(text);
    try {
      if (envelope !== undefined) {
        const value = envelope.negative ? undefined : codec.deserialize(envelope.payload);
        return { value, tags: envelope.tags, bytes: byteSize(key, envelope.payload), freshUntil: envelope.expiresAt };
      }
    } catch {
      // Counted below, like text that is not an envelope.
    }
    this.#redisCounters.errors += 1;
    return undefined;
  }

  /** Kept in memory until its TTL ends, plus the grace period. */
  #remember(key: string, entry: MemoryEntry<unknown>): void {
    const keepMs = entry.freshUntil + this.#graceMs - Date.now();
    if (this.#closed || keepMs <= 0) return;
    this.#memory.store(key, entry, Math.ceil(keepMs));
  }

  /** Keeps `value` in memory and Redis; `undefined` only with negative caching. */
  async #store(key: string, value: unknown, policy: StorePolicy): Promise<void> {
    const negative = value === undefined;
    if (negative && this.#negativeTtlMs === undefined) return;
    let payload: string;
    let chosenTtlMs: number | undefined;
    let tags: readonly string[] | undefined;
    try {
      payload = negative ? '' : policy.codec.serialize(value);
      chosenTtlMs = negative ? undefined : policy.ttlMs(value);
      tags = policy.tags(value);
    } catch (error) {
      // A value that cannot be serialized, or whose TTL or tags cannot be chosen, is returned to the caller but not cached.
      reportAgentError('tiered-cache-serializer', error);
      return;
    }
    if (tags === undefined || (chosenTtlMs !== undefined && !(chosenTtlMs > 0))) return;
    const ttlMs = negative ? this.#negativeTtlMs! : jitteredTtl(chosenTtlMs ?? this.#ttlMs, this.#jitter);
    const envelope: Envelope = { negative, expiresAt: Date.now() + ttlMs, tags, payload };
    this.#remember(key, { value, tags, bytes: byteSize(key, payload), freshUntil: envelope.expiresAt });
    if (this.#redis !== undefined && !await this.#redis.write(key, encodeEnvelope(envelope), Math.ceil(ttlMs + this.#graceMs), tags)) {
      // Redis may still hold an older value: remove it once Redis is back.
      this.#keepForReplay({ keys: [key] });
    }
  }

  async set(key: string, value: V, options: CacheEntryOptions<V> = {}): Promise<void> {
    this.#invalidateFlights((flight, flightKey) => flightKey === key);
    await this.#store(key, value, this.#policy(options));
    await this.#publish({ keys: [key] });
  }

  async delete(key: string): Promise<void> {
    this.#applyLocally({ keys: [key] });
    await this.#invalidateInRedis({ keys: [key] });
  }

  async invalidateTag(tag: string): Promise<void> {
    this.#applyLocally({ tag });
    await this.#invalidateInRedis({ tag });
  }

  wrap<A extends unknown[]>(fn: (...args: A) => V | undefined | Promise<V | undefined>, keyFn?: (...args: A) => string,
    options?: CacheEntryOptions<V>): (...args: A) => Promise<V | undefined> {
    const keyOf = keyFn ?? defaultKeyOf(fn);
    return (...args: A) => this.get(keyOf(...args), () => fn(...args), options);
  }

  query<R = Record<string, unknown>>(runner: QueryRunner, text: string, values?: readonly unknown[],
    options?: QueryCacheOptions): Promise<QueryAnswer<R>> {
    return this.#queries.query<R>(runner, text, values, options);
  }

  wrapQueries<A extends unknown[], T>(fn: (...args: A) => T | Promise<T>, keyFn?: (...args: A) => string,
    options?: QueryCacheOptions): (...args: A) => Promise<T> {
    return this.#queries.wrap(fn, keyFn ?? defaultKeyOf(fn), options);
  }

  async close(): Promise<void> {
    if (!this.#closed && this.#breaker !== undefined) this.#redisCounters.breakerRemoved(this.#breaker.state);
    this.#closed = true;
    clearTimeout(this.#probeTimer);
    this.#queries.close();
    this.#stopReplayOnReady?.();
    this.#bus?.close();
    this.#memory.close();
  }

  /**
   * The Redis layer's breaker, counted in the state gauge while the cache is open. Once open,
   * what could not reach Redis is replayed after the cooldown even without the app's traffic:
   * the replay's first command is the probe, and closing the breaker replays the rest.
   */
  #createBreaker(settings: BreakerSettings): CircuitBreaker {
    this.#redisCounters.breakerAdded();
    return new CircuitBreaker(settings, (to: BreakerState, from: BreakerState) => {
      this.#count(to === 'open' ? 'breaker_open' : to === 'half_open' ? 'breaker_half_open' : 'breaker_close');
      if (this.#closed) return;
      this.#redisCounters.breakerMoved(from, to);
      clearTimeout(this.#probeTimer);
      if (to === 'open') {
        this.#probeTimer = setTimeout(() => { if (this.#pending.size > 0) this.#replayPending(); }, settings.cooldownMs);
        this.#probeTimer.unref();
      }
      if (to === 'closed') this.#replayPending();
    });
  }

  #applyLocally(invalidation: Invalidation): void {
    const { keys, tag } = invalidation;
    for (const key of keys ?? []) this.#memory.delete(key);
    if (tag !== undefined) this.#memory.deleteTag(tag);
    // Every write to a cached table comes here: with no load running there is nothing more to do.
    if (this.#flights.size === 0) return;
    const keySet = new Set(keys);
    this.#invalidateFlights((flight, key) => keySet.has(key)
      || (tag !== undefined && (flight.tags === 'any' || flight.tags.includes(tag))));
  }

  #invalidateFlights(matches: (flight: Flight, key: string) => boolean): void {
    for (const [key, flight] of this.#flights) if (matches(flight, key)) flight.invalidated = true;
  }

  /** Removes from Redis and tells the other instances; kept for replay when Redis cannot be reached. */
  async #invalidateInRedis(invalidation: Invalidation): Promise<void> {
    if (this.#redis === undefined) return;
    if (invalidation.tag !== undefined) {
      await this.#invalidateTagsInRedis([invalidation.tag]);
      return;
    }
    if (await this.#redis.remove(invalidation.keys ?? [])) await this.#publish(invalidation);
    else this.#keepForReplay(invalidation);
  }

  async #invalidateTagsInRedis(tags: readonly string[], told?: (tag: string) => void): Promise<void> {
    if (this.#redis === undefined) return;
    const untold = await this.#redis.removeTagsAndPublish(tags, (tag) => encodeInvalidation(this.#self, { tag }), told);
    for (const tag of untold) this.#keepForReplay({ tag });
  }

  async #publish(invalidation: Invalidation): Promise<void> {
    if (this.#redis === undefined) return;
    if (!await this.#redis.publish(encodeInvalidation(this.#self, invalidation))) this.#keepForReplay(invalidation);
  }

  #keepForReplay(invalidation: Invalidation): void {
    if (!this.#pending.add(invalidation)) this.#redisCounters.errors += 1;
  }
}

/** The key `wrap` uses without a key function: the function name and the JSON of its arguments. */
function defaultKeyOf<A extends unknown[]>(fn: (...args: A) => unknown): (...args: A) => string {
  return (...args: A) => `${fn.name || 'fn'}:${JSON.stringify(args)}`;
}

function byteSize(key: string, payload: string): number {
  return Buffer.byteLength(payload) + Buffer.byteLength(key);
}

export function createTieredCache<V>(options: TieredCacheOptions<V>): TieredCache<V> {
  validate(options);
  return new Tiered<V>(options);
}
