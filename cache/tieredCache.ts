/**
 * The tiered cache (`querylens/cache`): memory (lru-cache) first, then Redis,
 * then the loader. Single flight per key, TTL with jitter, optional negative
 * caching, tags, invalidations shared by every instance of the same name over
 * Redis pub/sub, a memory bound in entries and bytes. Redis trouble is
 * counted and routed around; no call ever rejects because of Redis, and no
 * rejection is ever left unhandled.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { reportAgentError } from '../core/agentErrors';
import { type CacheCounters, cacheCounters } from '../instrumentations/cacheTelemetry/cacheStatistics';
import { decodeEnvelope, encodeEnvelope, type Envelope } from './envelope';
import { InvalidationBus, encodeInvalidation, type Invalidation } from './invalidationBus';
import { runLoader, type StatementTrail } from '../instrumentations/cacheTelemetry/loaderScope';
import { MemoryLayer, type MemoryEntry, type MemoryLimits } from './memoryLayer';
import { PendingInvalidations } from './pendingInvalidations';
import { onClientEvent } from './clientEvents';
import { RedisLayer } from './redisLayer';
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
  if (options.redisTimeoutMs !== undefined) requirePositiveInteger(options.redisTimeoutMs, 'redisTimeoutMs');
  const jitter = options.jitter ?? DEFAULT_JITTER;
  if (!(jitter >= 0 && jitter <= 1)) throw new TypeError(`createTieredCache: jitter must be between 0 and 1, got ${String(options.jitter)}`);
}

/** A load in progress; invalidations that arrive meanwhile keep its result out of the cache. */
interface Flight {
  promise: Promise<unknown>;
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
  readonly #serializer: CacheSerializer<V>;
  readonly #memoryCounters: CacheCounters;
  readonly #redisCounters: CacheCounters;
  readonly #memory: MemoryLayer<unknown>;
  readonly #redis: RedisLayer | undefined;
  readonly #bus: InvalidationBus | undefined;
  readonly #self = randomUUID();
  readonly #flights = new Map<string, Flight>();
  readonly #pending = new PendingInvalidations();
  readonly #queries: QueryCaching;
  #stopReplayOnReady: (() => void) | undefined;
  /** On reconnection, and after any Redis answer while some are pending (Redis may have been slow, not disconnected). */
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
    this.#serializer = options.serializer ?? jsonSerializer<V>();
    this.#memoryCounters = cacheCounters(options.name, 'memory');
    this.#redisCounters = cacheCounters(options.name, 'redis');
    this.#memory = new MemoryLayer<unknown>(options.memory, this.#memoryCounters);
    if (options.redis !== undefined) {
      this.#stopReplayOnReady = onClientEvent(options.redis, 'ready', this.#replayPending);
      const keys = tieredKeys(options.name);
      this.#redis = new RedisLayer(options.redis, keys, this.#redisCounters, options.redisTimeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS);
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
      invalidateTag: (tag) => this.invalidateTag(tag),
      defaultTtlMs: this.#ttlMs,
    });
  }

  get(key: string, loader: CacheLoader<V>, options: CacheEntryOptions<V> = {}): Promise<V | undefined> {
    return this.#load(key, loader, this.#policy(options)) as Promise<V | undefined>;
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

  async #load(key: string, loader: () => unknown, policy: StorePolicy, trail?: StatementTrail): Promise<unknown> {
    if (!this.#closed) {
      const entry = this.#memory.lookup(key);
      if (entry !== undefined) return entry.value;
    }
    const running = this.#flights.get(key);
    if (running !== undefined) return running.promise;
    const flight: Flight = { promise: Promise.resolve(undefined), invalidated: false, tags: policy.knownTags };
    flight.promise = this.#fill(key, loader, policy, flight, trail);
    this.#flights.set(key, flight);
    const forget = (): void => {
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
    };
    flight.promise.then(forget, forget);
    return flight.promise;
  }

  async #fill(key: string, loader: () => unknown, policy: StorePolicy, flight: Flight, trail: StatementTrail | undefined): Promise<unknown> {
    const stored = await this.#readRedis(key, policy.codec);
    if (stored !== undefined) {
      if (!flight.invalidated) this.#remember(key, stored.entry, stored.envelope.expiresAt - Date.now());
      return stored.entry.value;
    }
    const value = await runLoader(this.#memoryCounters, loader, trail);
    if (!flight.invalidated) await this.#store(key, value, policy);
    return value;
  }

  async #readRedis(key: string, codec: CacheSerializer<unknown>): Promise<{ envelope: Envelope; entry: MemoryEntry<unknown> } | undefined> {
    if (this.#redis === undefined) return undefined;
    const text = await this.#redis.read(key);
    if (text === undefined) return undefined;
    if (this.#pending.size > 0) this.#replayPending();
    const envelope = text === null ? undefined : decodeEnvelope(text);
    if (envelope === undefined || envelope.expiresAt <= Date.now()) {
      if (text !== null && envelope === undefined) this.#redisCounters.errors += 1;
      this.#redisCounters.count('miss');
      return undefined;
    }
    try {
      const value = envelope.negative ? undefined : codec.deserialize(envelope.payload);
      this.#redisCounters.count('hit');
      return { envelope, entry: { value, tags: envelope.tags, bytes: byteSize(key, envelope.payload) } };
    } catch {
      this.#redisCounters.errors += 1;
      this.#redisCounters.count('miss');
      return undefined;
    }
  }

  #remember(key: string, entry: MemoryEntry<unknown>, ttlMs: number): void {
    if (this.#closed || ttlMs <= 0) return;
    this.#memory.store(key, entry, Math.ceil(ttlMs));
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
    this.#remember(key, { value, tags, bytes: byteSize(key, payload) }, ttlMs);
    if (this.#redis !== undefined && !await this.#redis.write(key, encodeEnvelope(envelope), Math.ceil(ttlMs), tags)) {
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
    this.#closed = true;
    this.#queries.close();
    this.#stopReplayOnReady?.();
    this.#bus?.close();
    this.#memory.close();
  }

  #applyLocally(invalidation: Invalidation): void {
    const keys = new Set(invalidation.keys);
    for (const key of keys) this.#memory.delete(key);
    if (invalidation.tag !== undefined) this.#memory.deleteTag(invalidation.tag);
    const tag = invalidation.tag;
    this.#invalidateFlights((flight, key) => keys.has(key)
      || (tag !== undefined && (flight.tags === 'any' || flight.tags.includes(tag))));
  }

  #invalidateFlights(matches: (flight: Flight, key: string) => boolean): void {
    for (const [key, flight] of this.#flights) if (matches(flight, key)) flight.invalidated = true;
  }

  /** Removes from Redis and tells the other instances; kept for replay when Redis cannot be reached. */
  async #invalidateInRedis(invalidation: Invalidation): Promise<void> {
    if (this.#redis === undefined) return;
    const removed = invalidation.tag === undefined
      ? await this.#redis.remove(invalidation.keys ?? [])
      : await this.#redis.removeTag(invalidation.tag);
    if (removed) await this.#publish(invalidation);
    else this.#keepForReplay(invalidation);
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
