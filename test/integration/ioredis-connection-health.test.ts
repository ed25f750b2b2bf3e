/**
 * What /healthz says about Redis, from our ioredis instrumentation against
 * real servers: a private redis-server this test stops, freezes and restarts,
 * ports where nothing listens, and the shared Redis for a client that just
 * works. Each case checks the server's status, counts and health as ioredis
 * and the commands saw them; and that tracking is bounded and holds no
 * client alive.
 */
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Redis as RedisClient, RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisServerHealth } from '../../instrumentations/ioredis/connectionHealth';
import { freePort } from '../helpers/agentProcess';
import { IoredisHarness, REDIS_HOST, REDIS_PORT } from '../helpers/ioredisHarness';
import { PrivateRedis } from '../helpers/privateServers';
import { waitFor } from '../helpers/waitFor';

const harness = new IoredisHarness();
// Required only now, so the instrumentation's require hook sees ioredis.
const Redis = createRequire(import.meta.url)('ioredis') as typeof import('ioredis').default;

const clients: RedisClient[] = [];
function client(options: RedisOptions): RedisClient {
  const redis = new Redis({ host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => 50, ...options });
  redis.on('error', () => { /* the app handles errors; the instrumentation counts them */ });
  clients.push(redis);
  return redis;
}

function health(): RedisServerHealth[] {
  return harness.instrumentation.connectionHealth();
}

function serverHealth(server: string): RedisServerHealth | undefined {
  return health().find((entry) => entry.server === server);
}

/** Waits until the server's entry satisfies `match`, and returns it. */
function healthWhen(server: string, match: (entry: RedisServerHealth) => boolean, what: string): Promise<RedisServerHealth> {
  return waitFor(`${server}: ${what}`, () => {
    const entry = serverHealth(server);
    return entry !== undefined && match(entry) ? entry : undefined;
  }, 10_000, 50);
}

afterAll(() => {
  for (const redis of clients) redis.disconnect();
  harness.instrumentation.disable();
});

describe('Redis connection health', () => {
  let privateRedis: PrivateRedis;

  beforeAll(async () => {
    privateRedis = await PrivateRedis.start();
  });

  afterAll(() => privateRedis?.destroy());

  it('says a working client is healthy and ready, with no errors', async () => {
    const redis = client({ host: REDIS_HOST, port: REDIS_PORT });
    expect(await redis.ping()).toBe('PONG');
    const entry = serverHealth(`${REDIS_HOST}:${REDIS_PORT}`);
    expect(entry).toMatchObject({ healthy: true, status: 'ready', connectionErrors: { lastMinute: 0, total: 0 }, unansweredCommands: { lastMinute: 0, total: 0 } });
    expect(entry?.clients).toBeGreaterThanOrEqual(1);
    expect(Date.parse(entry?.lastReadyAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });

  it('says a client whose server refuses connections is unhealthy, reconnecting, with the error type and when', async () => {
    const port = await freePort();
    const redis = client({ port });
    await expect(redis.ping()).rejects.toThrow();
    const entry = await healthWhen(`127.0.0.1:${port}`, (candidate) => candidate.connectionErrors.total >= 2, 'two connection errors');
    expect(entry).toMatchObject({ healthy: false, clients: 1, connectionErrors: { last: { type: 'ECONNREFUSED' } } });
    expect(['reconnecting', 'connecting']).toContain(entry.status);
    expect(entry.connectionErrors.lastMinute).toBe(entry.connectionErrors.total);
    expect(entry.reconnects).toBeGreaterThan(0);
    expect(entry.unansweredCommands.last?.type).toBe('MaxRetriesPerRequestError');
    expect(Math.abs(Date.parse(entry.connectionErrors.last?.at ?? '') - Date.now())).toBeLessThan(5_000);
    expect(entry.lastReadyAt).toBeUndefined();
    // The app gives up on it: a client it closes is none of its connections, and no longer makes the server unhealthy.
    redis.disconnect();
    expect(serverHealth(`127.0.0.1:${port}`)).toMatchObject({ healthy: true, clients: 0, status: 'none' });
  });

  it('says a client ioredis gave up on (its retryStrategy returned no delay) is unhealthy, ended', async () => {
    const port = await freePort();
    const redis = client({ port, retryStrategy: () => null });
    await expect(redis.ping()).rejects.toThrow();
    const entry = await healthWhen(`127.0.0.1:${port}`, (candidate) => candidate.status === 'end', 'status end');
    expect(entry).toMatchObject({ healthy: false, clients: 1 });
  });

  it('follows a server stopped and restarted: unhealthy while it is down, healthy once the client is ready again', async () => {
    const server = `127.0.0.1:${privateRedis.port}`;
    const redis = client({ port: privateRedis.port });
    expect(await redis.ping()).toBe('PONG');
    expect(serverHealth(server)).toMatchObject({ healthy: true, status: 'ready' });
    await privateRedis.stop();
    const down = await healthWhen(server, (entry) => !entry.healthy && entry.connectionErrors.total > 0, 'unhealthy with connection errors');
    expect(['reconnecting', 'connecting', 'close']).toContain(down.status);
    const ready = new Promise((resolve) => redis.once('ready', resolve));
    await privateRedis.restart();
    await ready;
    expect(serverHealth(server)).toMatchObject({ healthy: true, status: 'ready' });
  });

  it('says a frozen server is unhealthy while its commands time out, and healthy once one is answered', async () => {
    const server = `127.0.0.1:${privateRedis.port}`;
    const redis = client({ port: privateRedis.port, commandTimeout: 200 });
    expect(await redis.ping()).toBe('PONG');
    privateRedis.signal('SIGSTOP');
    try {
      await expect(redis.ping()).rejects.toThrow(/timed out/);
      const frozen = serverHealth(server);
      // The socket is still open: ioredis says ready, the commands say otherwise.
      expect(frozen).toMatchObject({ healthy: false, status: 'ready', unansweredCommands: { last: { type: 'Error' } } });
    } finally {
      privateRedis.signal('SIGCONT');
    }
    await waitFor('a PING answered after SIGCONT', async () => ((await redis.ping().catch(() => undefined)) === 'PONG' ? true : undefined), 10_000, 100);
    expect(serverHealth(server)).toMatchObject({ healthy: true, status: 'ready' });
  });

  it('takes an error reply as an answer: a failing command of a reachable server leaves it healthy', async () => {
    const redis = client({ host: REDIS_HOST, port: REDIS_PORT });
    await expect(redis.call('NO-SUCH-COMMAND')).rejects.toThrow(/unknown command/);
    expect(serverHealth(`${REDIS_HOST}:${REDIS_PORT}`)).toMatchObject({ healthy: true, unansweredCommands: { total: 0 } });
  });

  it('tracks at most 64 servers, the rest as one "other" entry', async () => {
    const ports = await Promise.all(Array.from({ length: 70 }, () => freePort()));
    const lazy = ports.map((port) => client({ port, lazyConnect: true }));
    const entries = health();
    expect(entries.length).toBeLessThanOrEqual(65);
    const other = entries.find((entry) => entry.server === 'other');
    expect(other?.status).toBe('wait');
    const ours = entries.filter((entry) => ports.some((port) => entry.server === `127.0.0.1:${port}`));
    expect(ours.reduce((sum, entry) => sum + entry.clients, other?.clients ?? 0)).toBe(70);
    for (const redis of lazy) redis.disconnect();
    expect(health().find((entry) => entry.server === 'other')).toBeUndefined();
  });

  it('holds no client alive: one the app drops is collected and forgotten', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const port = await freePort();
    // Created here and never kept: only the instrumentation could hold it.
    const dropped = new WeakRef(new Redis({ host: '127.0.0.1', port, lazyConnect: true }));
    expect(serverHealth(`127.0.0.1:${port}`)).toMatchObject({ clients: 1, status: 'wait' });
    await waitFor('the dropped client to be collected', async () => {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
      return dropped.deref() === undefined ? true : undefined;
    }, 10_000, 50);
    expect(serverHealth(`127.0.0.1:${port}`)).toBeUndefined();
  });
});
