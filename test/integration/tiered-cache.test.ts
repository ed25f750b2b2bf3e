/**
 * The tiered cache against real Redis: single flight, sharing through Redis,
 * invalidations reaching other instances, negative caching, tags, the byte
 * bound, and a private redis-server stopped and restarted mid-run. Names are
 * unique per run; every key written is removed afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ATTR, METRICS } from '../../core/metrics/registry';
import { bindCacheMetrics } from '../../instrumentations/cacheTelemetry/cacheMetrics';
import {
  createTieredCache, currentLoaderScope, recordDatabaseTimeInLoader, type TieredCache, type TieredCacheOptions,
} from '../../cache/index';
import { TIERED_KEY_PREFIX, tieredKeys } from '../../instrumentations/cacheTelemetry/tieredKeys';
import { freePort } from '../helpers/agentProcess';
import { CacheMetricsReader } from '../helpers/cacheMetrics';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const spans = new InMemorySpanExporter();
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }));
const metrics = new CacheMetricsReader();
bindCacheMetrics(metrics.meter);

const clients: Redis[] = [];
const caches: TieredCache<unknown>[] = [];
const names: string[] = [];

function client(url = REDIS_URL): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  redis.on('error', () => { /* expected while a test's redis-server is down */ });
  clients.push(redis);
  return redis;
}

function uniqueName(label: string): string {
  const name = `test-${label}-${randomUUID().slice(0, 8)}`;
  names.push(name);
  return name;
}

function tiered<V>(options: Omit<TieredCacheOptions<V>, 'memory' | 'ttlMs'> & Partial<TieredCacheOptions<V>>): TieredCache<V> {
  const cache = createTieredCache<V>({ memory: { max: 100 }, ttlMs: 60_000, ...options });
  caches.push(cache as TieredCache<unknown>);
  return cache;
}

/** Waits until `count` subscribers listen on the cache's channel, so published invalidations reach them. */
async function subscribers(redis: Redis, name: string, count: number): Promise<void> {
  await vi.waitFor(async () => {
    const [, listening] = await redis.pubsub('NUMSUB', tieredKeys(name).channel) as [string, number];
    expect(Number(listening)).toBeGreaterThanOrEqual(count);
  }, { timeout: 5000, interval: 20 });
}

/** Two instances of one new cache, both listening for invalidations, and a plain client to look into Redis. */
async function twoInstances(label: string) {
  const name = uniqueName(label);
  const observer = client();
  const first = tiered<string>({ name, redis: client() });
  const second = tiered<string>({ name, redis: client() });
  await subscribers(observer, name, 2);
  return { name, observer, first, second };
}

const requests = (name: string, layer: string, result: string) => metrics.value(METRICS.cacheRequests.name,
  { [ATTR.cacheName]: name, [ATTR.cacheLayer]: layer, [ATTR.cacheResult]: result });

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => { unhandled.push(reason); };
beforeEach(() => { process.on('unhandledRejection', onUnhandled); });
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

afterAll(async () => {
  await Promise.all(caches.map((cache) => cache.close()));
  const cleaner = new Redis(REDIS_URL);
  for (const name of names) {
    const keys = await cleaner.keys(`${TIERED_KEY_PREFIX}:${name}:*`);
    if (keys.length > 0) await cleaner.del(...keys);
  }
  await cleaner.quit();
  for (const redis of clients) redis.disconnect();
  await metrics.shutdown();
});

describe('tiered cache', () => {
  it('loads once for 50 concurrent gets of one key', async () => {
    const name = uniqueName('flight');
    const cache = tiered<{ id: number }>({ name, redis: client() });
    let loads = 0;
    const loader = async () => {
      loads += 1;
      await sleep(30);
      return { id: 7 };
    };
    const values = await Promise.all(Array.from({ length: 50 }, () => cache.get('k', loader)));
    expect(loads).toBe(1);
    expect(values.every((value) => value?.id === 7)).toBe(true);
    expect(await cache.get('k', loader)).toEqual({ id: 7 });
    expect(loads).toBe(1);

    expect(await requests(name, 'memory', 'miss')).toBe(50);
    expect(await requests(name, 'memory', 'hit')).toBe(1);
    expect(await requests(name, 'redis', 'miss')).toBe(1);
    const load = await metrics.histogram(METRICS.cacheLoadDuration.name, { [ATTR.cacheName]: name });
    expect(load.count).toBe(1);
    expect(load.sum).toBeGreaterThanOrEqual(0.025);
  });

  it('serves a second instance from Redis without loading', async () => {
    const name = uniqueName('shared');
    const first = tiered<string>({ name, redis: client() });
    const second = tiered<string>({ name, redis: client() });
    expect(await first.get('k', () => 'loaded once')).toBe('loaded once');
    const secondLoader = vi.fn(() => 'must not load');
    expect(await second.get('k', secondLoader)).toBe('loaded once');
    expect(secondLoader).not.toHaveBeenCalled();
    expect(await requests(name, 'redis', 'hit')).toBe(1);
  });

  it('a delete on one instance reaches the memory layer of another', async () => {
    const { name, observer, first, second } = await twoInstances('delete');
    await first.get('k', () => 'v1');
    expect(await second.get('k', () => 'never')).toBe('v1'); // now in second's memory
    await first.delete('k');
    await vi.waitFor(async () => {
      expect(await second.get('k', () => 'v2')).toBe('v2');
    }, { timeout: 3000, interval: 20 });
    expect(await observer.exists(tieredKeys(name).value('k'))).toBe(1); // v2 written back by the reload
  });

  it('caches "not found" only with negativeTtlMs, and only that long', async () => {
    const name = uniqueName('negative');
    const cache = tiered<string>({ name, redis: client(), negativeTtlMs: 100 });
    const loader = vi.fn((): string | undefined => undefined);
    expect(await cache.get('missing', loader)).toBeUndefined();
    expect(await cache.get('missing', loader)).toBeUndefined();
    expect(loader).toHaveBeenCalledTimes(1);
    await sleep(150);
    expect(await cache.get('missing', loader)).toBeUndefined();
    expect(loader).toHaveBeenCalledTimes(2);

    const withoutNegative = tiered<string>({ name: uniqueName('no-negative') });
    const counted = vi.fn((): string | undefined => undefined);
    await withoutNegative.get('missing', counted);
    await withoutNegative.get('missing', counted);
    expect(counted).toHaveBeenCalledTimes(2);
  });

  it('invalidates a tag in Redis and in every instance', async () => {
    const { name, observer, first, second } = await twoInstances('tags');
    await first.get('u1', () => 'one', { tags: ['team:1'] });
    await first.get('u2', () => 'two', { tags: ['team:1'] });
    await first.get('u3', () => 'three', { tags: ['team:2'] });
    expect(await second.get('u1', () => 'never')).toBe('one'); // second learns u1's tags from Redis

    await first.invalidateTag('team:1');
    const keys = tieredKeys(name);
    expect(await observer.exists(keys.value('u1'), keys.value('u2'), keys.tag('team:1'))).toBe(0);
    expect(await observer.exists(keys.value('u3'))).toBe(1);
    expect(await first.get('u2', () => 'two again')).toBe('two again');
    expect(await first.get('u3', () => 'never')).toBe('three');
    await vi.waitFor(async () => {
      expect(await second.get('u1', () => 'one again')).toBe('one again');
    }, { timeout: 3000, interval: 20 });
  });

  it('tells Redis of a tag invalidation in one command: the entries, the set and the message together', async () => {
    const name = uniqueName('tag-one-command');
    const redis = client();
    const sent: string[] = [];
    const sendCommand = redis.sendCommand.bind(redis);
    redis.sendCommand = (command, ...rest) => {
      sent.push(command.name);
      return sendCommand(command, ...rest);
    };
    const observer = client();
    const cache = tiered<string>({ name, redis });
    await subscribers(observer, name, 1);
    await cache.get('a', () => 'one', { tags: ['t'] });
    await cache.get('b', () => 'two', { tags: ['t'] });
    const heard = new Promise<string>((resolve) => {
      observer.once('message', (_channel: string, message: string) => resolve(message));
    });
    await observer.subscribe(tieredKeys(name).channel);

    sent.length = 0;
    await cache.invalidateTag('t');
    expect(sent).toEqual(['eval']);
    const keys = tieredKeys(name);
    expect(await client().exists(keys.value('a'), keys.value('b'), keys.tag('t'))).toBe(0);
    expect(JSON.parse(await heard)).toMatchObject({ t: 't' });
  });

  it('removes a tag naming more entries than one command takes, and tells the other instance once', async () => {
    const { name, observer, first, second } = await twoInstances('tag-slices');
    const entries = 1_200;
    for (let i = 0; i < entries; i += 1) await first.get(`k${i}`, () => `v${i}`, { tags: ['big'] });
    expect(await second.get('k0', () => 'never')).toBe('v0');
    const messages: string[] = [];
    const listener = client();
    listener.on('message', (_channel: string, message: string) => messages.push(message));
    await listener.subscribe(tieredKeys(name).channel);

    await first.invalidateTag('big');
    const keys = tieredKeys(name);
    const left = await observer.keys(`${keys.value('')}*`);
    expect(left).toEqual([]);
    expect(await observer.exists(keys.tag('big'))).toBe(0);
    await vi.waitFor(async () => {
      expect(await second.get('k0', () => 'reloaded')).toBe('reloaded');
    }, { timeout: 3000, interval: 20 });
    // Redis answers the PING after every message published before it: all of them have arrived.
    await listener.ping();
    expect(messages.filter((message) => JSON.parse(message).t === 'big')).toHaveLength(1);
  });

  it('hands a loader error to every waiter, caches nothing, and leaves no rejection unhandled', async () => {
    const name = uniqueName('loader-error');
    const cache = tiered<string>({ name, redis: client(), negativeTtlMs: 60_000 });
    let calls = 0;
    const failing = async (): Promise<string> => {
      calls += 1;
      await sleep(10);
      throw new Error('database down');
    };
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => cache.get('k', failing)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(5).fill('rejected'));
    expect(calls).toBe(1);
    expect(await cache.get('k', () => 'recovered')).toBe('recovered');
    await expect(cache.get('sync', () => { throw new Error('sync throw'); })).rejects.toThrow('sync throw');
  });

  it('wraps a function, keyed by its arguments', async () => {
    const name = uniqueName('wrap');
    const cache = tiered<{ id: number; plan: string }>({ name, redis: client() });
    const findAccount = vi.fn(async (id: number, plan: string) => ({ id, plan }));
    const cachedFindAccount = cache.wrap(findAccount);
    expect(await cachedFindAccount(1, 'pro')).toEqual({ id: 1, plan: 'pro' });
    expect(await cachedFindAccount(1, 'pro')).toEqual({ id: 1, plan: 'pro' });
    expect(await cachedFindAccount(2, 'pro')).toEqual({ id: 2, plan: 'pro' });
    expect(findAccount).toHaveBeenCalledTimes(2);
    const byId = cache.wrap(findAccount, (id) => `account:${id}`);
    expect(await byId(1, 'ignored by the key')).toEqual({ id: 1, plan: 'ignored by the key' });
    expect(await byId(1, 'other')).toEqual({ id: 1, plan: 'ignored by the key' });
  });

  it('shares one client among many caches without listener warnings', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => { warnings.push(warning.name); };
    process.on('warning', onWarning);
    try {
      const redis = client();
      const many = Array.from({ length: 12 }, (_, i) => tiered<number>({ name: uniqueName(`many-${i}`), redis }));
      expect(await Promise.all(many.map((cache, i) => cache.get('k', () => i)))).toEqual(many.map((_, i) => i));
      await sleep(50); // warnings are emitted on the next tick
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('bounds memory in bytes as well as entries', async () => {
    const name = uniqueName('bytes');
    const maxBytes = 4096;
    const cache = tiered<string>({ name, memory: { max: 1000, maxBytes } });
    const value = 'x'.repeat(1000);
    for (let i = 0; i < 20; i += 1) await cache.get(`k${i}`, () => value);
    const entries = await metrics.value(METRICS.cacheEntries.name, { [ATTR.cacheName]: name });
    const entryBytes = JSON.stringify(value).length + 'k10'.length;
    expect(entries).toBeGreaterThan(0);
    expect(entries * entryBytes).toBeLessThanOrEqual(maxBytes);
    expect(await metrics.value(METRICS.cacheEvictions.name, { [ATTR.cacheName]: name, [ATTR.reason]: 'evict' })).toBe(20 - entries);
    // The most recent entry is in memory, the first one was evicted.
    const reload = vi.fn(() => value);
    await cache.get('k19', reload);
    await cache.get('k0', reload);
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('keeps an entry in memory no longer than memory.ttlMs, then serves it from Redis', async () => {
    const name = uniqueName('memory-ttl');
    const cache = tiered<string>({ name, redis: client(), memory: { max: 100, ttlMs: 100 } });
    const loader = vi.fn(() => 'loaded once');
    expect(await cache.get('k', loader)).toBe('loaded once');
    expect(await cache.get('k', loader)).toBe('loaded once');
    expect(await requests(name, 'memory', 'hit')).toBe(1);
    await sleep(150);
    // Gone from memory, still in Redis for the full TTL: no second load.
    expect(await cache.get('k', loader)).toBe('loaded once');
    expect(loader).toHaveBeenCalledTimes(1);
    expect(await requests(name, 'redis', 'hit')).toBe(1);
    // Read back from Redis, it is kept in memory again, for memory.ttlMs.
    expect(await cache.get('k', loader)).toBe('loaded once');
    expect(await requests(name, 'memory', 'hit')).toBe(2);
    await sleep(150);
    expect(await cache.get('k', loader)).toBe('loaded once');
    expect(await requests(name, 'redis', 'hit')).toBe(2);
    expect(loader).toHaveBeenCalledTimes(1);
  });

  it('refuses a memory.ttlMs that is not a positive integer', () => {
    expect(() => createTieredCache({ name: uniqueName('bad-ttl'), memory: { max: 10, ttlMs: 0 }, ttlMs: 1000 })).toThrow('memory.ttlMs must be a positive integer');
    expect(() => createTieredCache({ name: uniqueName('bad-ttl'), memory: { max: 10, ttlMs: 1.5 }, ttlMs: 1000 })).toThrow('memory.ttlMs must be a positive integer');
  });

  it('traces a load as a span that parents the loader\'s own spans', async () => {
    const name = uniqueName('span');
    const cache = tiered<number>({ name });
    await cache.get('k', async () => {
      await sleep(5);
      trace.getTracer('app').startSpan('SELECT users').end();
      return 1;
    });
    await cache.get('k', () => 2); // a hit: no span
    const finished = spans.getFinishedSpans();
    const loads = finished.filter((span) => span.name === `load ${name}`);
    expect(loads).toHaveLength(1);
    expect(loads[0].attributes[ATTR.cacheName]).toBe(name);
    const query = finished.find((span) => span.name === 'SELECT users');
    expect(query?.parentSpanContext?.spanId).toBe(loads[0].spanContext().spanId);
  });

  it('records the database time spent inside loaders', async () => {
    const name = uniqueName('db-time');
    const cache = tiered<number>({ name });
    await cache.get('k', async () => {
      recordDatabaseTimeInLoader(0.02);
      await sleep(5);
      recordDatabaseTimeInLoader(0.03);
      return 1;
    });
    recordDatabaseTimeInLoader(1); // outside any loader: belongs to no cache
    const database = await metrics.histogram(METRICS.cacheLoadDatabaseDuration.name, { [ATTR.cacheName]: name });
    expect(database.count).toBe(1);
    expect(database.sum).toBeCloseTo(0.05, 6);
  });
});

describe('tiered cache: the cross-instance lock and the breaker', () => {
  it('a holder whose lease ran out does not release the lock another instance took since', async () => {
    const name = uniqueName('lock-owner');
    const observer = client();
    const lockKey = tieredKeys(name).lock('k');
    const late = tiered<string>({ name, redis: client(), stampedeLock: { leaseMs: 200, waitMs: 5_000 } });
    const next = tiered<string>({ name, redis: client(), stampedeLock: { leaseMs: 5_000, waitMs: 5_000 } });
    const lateLoad = late.get('k', async () => { await sleep(600); return 'late'; });
    await vi.waitFor(async () => expect(await observer.exists(lockKey)).toBe(1), { timeout: 2_000, interval: 5 });
    // Past the first lease the lock is gone: the next instance takes it for a load of its own.
    await vi.waitFor(async () => expect(await observer.exists(lockKey)).toBe(0), { timeout: 2_000, interval: 5 });
    const nextLoad = next.get('k', async () => { await sleep(1_000); return 'next'; });
    await vi.waitFor(async () => expect(await observer.exists(lockKey)).toBe(1), { timeout: 2_000, interval: 5 });
    const nextToken = await observer.get(lockKey);
    expect(await lateLoad).toBe('late');
    expect(await observer.get(lockKey)).toBe(nextToken);
    expect(await nextLoad).toBe('next');
    expect(await observer.exists(lockKey)).toBe(0);
  });

  it('records a wait for another instance\'s load in the lock wait histogram', async () => {
    const name = uniqueName('lock-metrics');
    const holder = tiered<string>({ name, redis: client() });
    const waiter = tiered<string>({ name, redis: client() });
    const held = holder.get('k', async () => { await sleep(300); return 'from holder'; });
    await sleep(50);
    expect(await waiter.get('k', () => 'from waiter')).toBe('from holder');
    await held;
    const waits = await metrics.histogram(METRICS.cacheLockWaitDuration.name, { [ATTR.cacheName]: name });
    expect(waits.count).toBe(1);
    expect(waits.sum).toBeGreaterThan(0.15);
    expect(await metrics.value(METRICS.cacheEvents.name, { [ATTR.cacheName]: name, [ATTR.cacheEvent]: 'lock_acquired' })).toBe(1);
    expect(await metrics.value(METRICS.cacheEvents.name, { [ATTR.cacheName]: name, [ATTR.cacheEvent]: 'lock_wait' })).toBe(1);
  });

  it('exports the breaker state per cache name: closed, open while Redis is unreachable, closed again once the cache is closed', async () => {
    const name = uniqueName('breaker-metrics');
    const unreachable = client(`redis://127.0.0.1:${await freePort()}`);
    const cache = tiered<string>({ name, redis: unreachable, breaker: { failures: 2, windowMs: 10_000, cooldownMs: 60_000 } });
    const state = () => metrics.points(METRICS.cacheBreakerState.name)
      .then((points) => points.filter((point) => point.attributes[ATTR.cacheName] === name).map((point) => point.value));
    expect(await state()).toEqual([0]);
    expect(await cache.get('k', () => 'loaded')).toBe('loaded');
    expect(await state()).toEqual([2]);
    expect(await metrics.value(METRICS.cacheEvents.name, { [ATTR.cacheName]: name, [ATTR.cacheEvent]: 'breaker_open' })).toBe(1);
    await cache.close();
    expect(await state()).toEqual([0]);
  });
});

describe('database time of a loader with real PostgreSQL', () => {
  it('needs the scope captured when the query starts: pg calls back outside the loader context', async () => {
    const pool = new Pool({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', max: 1 });
    try {
      await pool.query('SELECT 1'); // the pooled connection is created outside any loader
      const name = uniqueName('pg-time');
      const cache = tiered<number>({ name });
      let scopeInCallback: unknown = 'not called';
      await cache.get('k', () => new Promise<number>((resolve, reject) => {
        // What the pg instrumentation does: capture at the start, report at the end.
        const scope = currentLoaderScope();
        const started = performance.now();
        pool.query('SELECT pg_sleep(0.05)', (error) => {
          scopeInCallback = currentLoaderScope();
          recordDatabaseTimeInLoader((performance.now() - started) / 1000, scope);
          if (error) reject(error); else resolve(1);
        });
      }));
      expect(scopeInCallback).toBeUndefined();
      const database = await metrics.histogram(METRICS.cacheLoadDatabaseDuration.name, { [ATTR.cacheName]: name });
      expect(database.count).toBe(1);
      expect(database.sum).toBeGreaterThanOrEqual(0.045);
      const load = await metrics.histogram(METRICS.cacheLoadDuration.name, { [ATTR.cacheName]: name });
      expect(load.sum).toBeGreaterThanOrEqual(database.sum);
    } finally {
      await pool.end();
    }
  });
});

describe('tiered cache with its Redis stopped mid-run', () => {
  let server: ChildProcess | undefined;
  let port = 0;
  const dataDir = mkdtempSync(join(tmpdir(), 'ql-tiered-redis-'));

  async function startRedis(): Promise<void> {
    server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dataDir],
      { stdio: 'ignore' });
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => 20, maxRetriesPerRequest: 50 });
    probe.on('error', () => { /* until it listens */ });
    await probe.ping();
    probe.disconnect();
  }

  async function stopRedis(): Promise<void> {
    const stopping = server;
    server = undefined;
    if (stopping === undefined || stopping.exitCode !== null) return;
    stopping.kill('SIGKILL');
    await once(stopping, 'exit');
  }

  afterAll(async () => {
    await stopRedis();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps answering from memory and the loader, counts errors, and recovers', async () => {
    port = await freePort();
    await startRedis();
    const name = uniqueName('outage');
    const redis = client(`redis://127.0.0.1:${port}`);
    const cache = tiered<string>({ name, redis, redisTimeoutMs: 100 });
    await subscribers(redis, name, 1);
    expect(await cache.get('before', () => 'cached before')).toBe('cached before');

    await stopRedis();
    await vi.waitFor(() => expect(redis.status).not.toBe('ready'), { timeout: 3000, interval: 10 });
    const started = Date.now();
    expect(await cache.get('before', () => 'must come from memory')).toBe('cached before');
    expect(await cache.get('during', () => 'loaded during')).toBe('loaded during');
    await cache.set('set-during', 'x');
    await cache.delete('before');
    await cache.invalidateTag('any');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await metrics.value(METRICS.cacheErrors.name, { [ATTR.cacheName]: name, [ATTR.cacheLayer]: 'redis' })).toBeGreaterThan(0);

    await startRedis();
    await vi.waitFor(() => expect(redis.status).toBe('ready'), { timeout: 5000, interval: 20 });
    await subscribers(redis, name, 1);
    expect(await cache.get('after', () => 'loaded after')).toBe('loaded after');
    expect(await redis.exists(tieredKeys(name).value('after'))).toBe(1);
  });

  it('replays a delete made while Redis was down once it is back', async () => {
    if (server === undefined) await startRedis();
    const name = uniqueName('replay');
    const redis = client(`redis://127.0.0.1:${port}`);
    const cache = tiered<string>({ name, redis, redisTimeoutMs: 100 });
    const key = tieredKeys(name).value('k');
    await cache.get('k', () => 'stored');
    expect(await redis.exists(key)).toBe(1);

    // Snapshot now, so the restarted server comes back with the entry (`--save ''` only stops automatic snapshots).
    await redis.save();
    await stopRedis();
    await vi.waitFor(() => expect(redis.status).not.toBe('ready'), { timeout: 3000, interval: 10 });
    await cache.delete('k'); // Redis unreachable: kept for replay
    await startRedis();
    await vi.waitFor(async () => expect(await redis.exists(key)).toBe(0), { timeout: 5000, interval: 20 });
  });
});
