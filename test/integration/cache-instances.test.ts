/**
 * The tiered cache across instances, with the real PostgreSQL behind every
 * load and two app processes (test/fixtures/cache/tiered-cache-worker.cjs,
 * on the compiled dist/) sharing one Redis: the cross-instance stampede lock
 * (50 concurrent misses load once; a crashed holder's lease expires) on the
 * shared Redis, and the Redis circuit breaker on a redis-server of the test's
 * own, frozen (SIGSTOP: every call times out) or stopped.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { TIERED_KEY_PREFIX, tieredKeys } from '../../instrumentations/cacheTelemetry/tieredKeys';
import type { BreakerState, CacheEvent } from '../../instrumentations/cacheTelemetry/cacheStatistics';
import { ROOT } from '../helpers/agentProcess';
import { IpcWorker } from '../helpers/ipcWorker';
import { PrivateRedis } from '../helpers/privateServers';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SHARED_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const WORKER = join(ROOT, 'test', 'fixtures', 'cache', 'tiered-cache-worker.cjs');

interface WorkerState {
  loads: number;
  events: Record<CacheEvent, number>;
  breaker: BreakerState | null;
  redisErrors: number;
  redisStatus: string;
}
interface Reply { result?: unknown; ms?: number; state: WorkerState; error?: string }

const workers: IpcWorker<Reply>[] = [];
const names: string[] = [];

/** Two app instances of one new cache on the Redis at `redisUrl`, configured alike. */
async function twoInstances(redisUrl: string, options: Record<string, unknown>): Promise<{ name: string; a: IpcWorker<Reply>; b: IpcWorker<Reply> }> {
  const name = `test-instances-${randomUUID().slice(0, 8)}`;
  names.push(name);
  const start = (): IpcWorker<Reply> => {
    const worker = new IpcWorker<Reply>(WORKER, { env: { ...process.env, DATABASE_URL, REDIS_URL: redisUrl, CACHE_NAME: name } });
    workers.push(worker);
    return worker;
  };
  const [a, b] = [start(), start()];
  await Promise.all([a.send('configure', { options }), b.send('configure', { options })]);
  return { name, a, b };
}

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.crash()));
});

afterAll(async () => {
  const redis = new Redis(SHARED_REDIS_URL);
  for (const name of names) {
    const keys = await redis.keys(`${TIERED_KEY_PREFIX}:${name}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis.quit();
});

describe('cross-instance stampede protection', () => {
  it('50 concurrent misses across two instances load once', async () => {
    const { a, b } = await twoInstances(SHARED_REDIS_URL, {});
    const [fromA, fromB] = await Promise.all([
      a.send('burst', { key: 'hot', value: 'loaded', count: 25, loadMs: 300 }),
      b.send('burst', { key: 'hot', value: 'loaded', count: 25, loadMs: 300 }),
    ]);
    expect([...fromA.result as string[], ...fromB.result as string[]]).toEqual(Array.from({ length: 50 }, () => 'loaded'));
    expect(fromA.state.loads + fromB.state.loads).toBe(1);
    const events = [fromA.state.events, fromB.state.events];
    expect(events.map((e) => e.lock_acquired).sort()).toEqual([0, 1]);
    expect(events.map((e) => e.lock_wait).sort()).toEqual([0, 1]);
    expect(events.map((e) => e.lock_wait_timeout)).toEqual([0, 0]);
  });

  it('without the lock, each instance loads once (single flight per process only)', async () => {
    const { a, b } = await twoInstances(SHARED_REDIS_URL, { stampedeLock: false });
    const [fromA, fromB] = await Promise.all([
      a.send('burst', { key: 'hot', value: 'loaded', count: 25, loadMs: 300 }),
      b.send('burst', { key: 'hot', value: 'loaded', count: 25, loadMs: 300 }),
    ]);
    expect(fromA.state.loads + fromB.state.loads).toBe(2);
  });

  it('a holder that crashed blocks the key only until its lease expires; then another instance loads', async () => {
    const leaseMs = 800;
    const { name, a, b } = await twoInstances(SHARED_REDIS_URL, { stampedeLock: { leaseMs, waitMs: 5_000 } });
    const redis = new Redis(SHARED_REDIS_URL);
    try {
      await a.send('hang', { key: 'k' });
      await vi.waitFor(async () => expect(await redis.exists(tieredKeys(name).lock('k'))).toBe(1), { timeout: 2_000, interval: 10 });
      await a.crash();
      const left = await redis.pttl(tieredKeys(name).lock('k'));
      expect(left).toBeGreaterThan(0);
      const fromB = await b.send('get', { key: 'k', value: 'loaded by b' });
      expect(fromB.result).toBe('loaded by b');
      expect(fromB.state.loads).toBe(1);
      // It waited for the lease, not for its whole wait.
      expect(fromB.ms).toBeGreaterThanOrEqual(left - 50);
      expect(fromB.ms).toBeLessThan(3_000);
      expect(fromB.state.events).toMatchObject({ lock_wait: 1, lock_wait_timeout: 0, lock_acquired: 0 });
    } finally {
      await redis.quit();
    }
  });

  it('a holder slower than the wait: the waiter loads itself after waitMs', async () => {
    const { a, b } = await twoInstances(SHARED_REDIS_URL, { stampedeLock: { leaseMs: 5_000, waitMs: 200 } });
    const slow = a.send('get', { key: 'slow', value: 'from a', loadMs: 1_500 });
    await sleep(100);
    const fromB = await b.send('get', { key: 'slow', value: 'from b' });
    expect(fromB.result).toBe('from b');
    expect(fromB.ms).toBeLessThan(1_000);
    expect(fromB.state.events).toMatchObject({ lock_wait: 1, lock_wait_timeout: 1 });
    expect((await slow).result).toBe('from a');
  });
});

describe('Redis circuit breaker', () => {
  let redis: PrivateRedis | undefined;

  afterEach(async () => {
    redis?.signal('SIGCONT');
    await redis?.destroy();
    redis = undefined;
  });

  const breakerOptions = { redisTimeoutMs: 100, breaker: { failures: 3, windowMs: 10_000, cooldownMs: 500 } };

  it('opens when Redis stops answering, answers from memory and the loader without waiting, and replays a delete made meanwhile once Redis is back', async () => {
    redis = await PrivateRedis.start();
    const { a, b } = await twoInstances(redis.url, breakerOptions);
    expect((await a.send('get', { key: 'k', value: 'v1' })).result).toBe('v1');
    const fromB = await b.send('get', { key: 'k', value: 'not loaded' });
    expect(fromB.result).toBe('v1');
    expect(fromB.state.loads).toBe(0);

    redis.signal('SIGSTOP');
    // Each Redis call of a miss (read, lock, write) now times out: three failures open the breaker.
    const first = await a.send('get', { key: 'x1', value: 'a' });
    expect(first.result).toBe('a');
    expect(first.state.breaker).toBe('open');
    expect(first.state.events.breaker_open).toBe(1);
    const whileOpen = await a.send('get', { key: 'x2', value: 'b' });
    expect(whileOpen.result).toBe('b');
    expect(whileOpen.ms).toBeLessThan(first.ms! / 2);
    expect((await a.send('get', { key: 'k', value: 'not loaded' })).result).toBe('v1');
    const deleted = await a.send('delete', { key: 'k' });
    expect(deleted.ms).toBeLessThan(50);
    // Past the cooldown the probe (the pending delete) still times out: open again.
    await vi.waitFor(async () => {
      const { events, breaker } = (await a.send('state')).state;
      expect(events.breaker_half_open).toBeGreaterThanOrEqual(1);
      expect(events.breaker_open).toBeGreaterThanOrEqual(2);
      expect(breaker).toBe('open');
    }, { timeout: 3_000, interval: 50 });

    redis.signal('SIGCONT');
    // Without traffic from a, its next probe replays the delete: b, which kept v1 in memory, hears it.
    await vi.waitFor(async () => expect((await b.send('get', { key: 'k', value: 'v2' })).result).toBe('v2'),
      { timeout: 5_000, interval: 100 });
    const after = (await a.send('state')).state;
    expect(after.breaker).toBe('closed');
    expect(after.events.breaker_close).toBe(1);
  });

  it('opens while Redis is down, keeps answering, and closes once the client is back', async () => {
    redis = await PrivateRedis.start();
    const { a } = await twoInstances(redis.url, breakerOptions);
    expect((await a.send('get', { key: 'k', value: 'v1' })).result).toBe('v1');
    await redis.stop();
    await vi.waitFor(async () => expect((await a.send('state')).state.redisStatus).not.toBe('ready'), { timeout: 3_000, interval: 20 });
    expect((await a.send('get', { key: 'k', value: 'not loaded' })).result).toBe('v1');
    const down = await a.send('get', { key: 'during', value: 'loaded during' });
    expect(down.result).toBe('loaded during');
    expect(down.state.breaker).toBe('open');

    await redis.restart();
    await vi.waitFor(async () => expect((await a.send('state')).state.redisStatus).toBe('ready'), { timeout: 5_000, interval: 20 });
    const back = await a.send('get', { key: 'after', value: 'loaded after' });
    expect(back.result).toBe('loaded after');
    expect(back.state.breaker).toBe('closed');
    const client = new Redis(redis.url);
    try {
      expect(await client.exists(tieredKeys(names.at(-1)!).value('after'))).toBe(1);
    } finally {
      await client.quit();
    }
  });
});
