/**
 * The tiered cache when its loader fails or is slow, with the real
 * PostgreSQL behind a TCP relay the test cuts (the database "down") and
 * the real Redis: grace period, soft and hard timeouts.
 */
import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTieredCache, LoaderTimeoutError, type TieredCache } from '../../cache/index';
import { cacheCounters } from '../../instrumentations/cacheTelemetry/cacheStatistics';
import { provideStatementLookup } from '../../core/statementLookup';
import { analyzeStatement } from '../../sql/analyzeStatement';
import { loadSqlParser } from '../../sql/parse/parser';
import { TIERED_KEY_PREFIX } from '../../instrumentations/cacheTelemetry/tieredKeys';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PG_HOST = '127.0.0.1';
const PG_PORT = 5432;
const suffix = randomUUID().slice(0, 8);
const TABLE = `qcr_${suffix}`;

/** Forwards connections to PostgreSQL until cut: then every connection is dropped and new ones refused. */
class Relay {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  port = 0;

  async up(): Promise<void> {
    const server = createServer((socket) => {
      const upstream = connect(PG_PORT, PG_HOST);
      for (const end of [socket, upstream]) {
        this.#sockets.add(end);
        end.on('close', () => this.#sockets.delete(end));
        end.on('error', () => { socket.destroy(); upstream.destroy(); });
      }
      socket.pipe(upstream).pipe(socket);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    const address = server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : 0;
    this.#server = server;
  }

  async down(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.#server === undefined ? resolve() : this.#server.close(() => resolve())));
    this.#server = undefined;
  }
}

const relay = new Relay();
const redis = new Redis(REDIS_URL);
const admin = new Pool({ host: PG_HOST, port: PG_PORT, user: 'postgres', database: 'test', max: 1 });
let pool: Pool;
const caches: TieredCache<unknown>[] = [];
const names: string[] = [];

function cache(options: { graceMs?: number; softTimeoutMs?: number; hardTimeoutMs?: number }): { cache: TieredCache<unknown>; name: string } {
  const name = `qcr-${suffix}-${names.length}`;
  names.push(name);
  const created = createTieredCache<unknown>({ name, redis, memory: { max: 100 }, ttlMs: 150, jitter: 0, ...options });
  caches.push(created);
  return { cache: created, name };
}

const events = (name: string) => cacheCounters(name, 'memory').events;
const label = (): Promise<string> => pool.query(`SELECT label FROM ${TABLE} WHERE id = 1`).then((result) => result.rows[0].label as string);

beforeAll(async () => {
  await loadSqlParser();
  provideStatementLookup({ analyze: (text) => analyzeStatement(text, { maxSqlLength: 100_000, disabledRules: new Set(), source: 'runtime', rules: [] }) });
  await admin.query(`CREATE TABLE ${TABLE} (id int PRIMARY KEY, label text)`);
  await admin.query(`INSERT INTO ${TABLE} VALUES (1, 'first')`);
  await relay.up();
  pool = new Pool({ host: '127.0.0.1', port: relay.port, user: 'postgres', database: 'test', max: 2, connectionTimeoutMillis: 500 });
  pool.on('error', () => undefined);
});

afterAll(async () => {
  provideStatementLookup(undefined);
  await Promise.all(caches.map((c) => c.close()));
  await relay.down();
  await pool.end().catch(() => undefined);
  await admin.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await admin.end();
  for (const name of names) {
    const keys = await redis.keys(`${TIERED_KEY_PREFIX}:${name}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis.quit();
});

describe('tiered cache resilience', () => {
  it('serves the last value, marked stale, while the database is down, within the grace period', async () => {
    const { cache: graced, name } = cache({ graceMs: 60_000 });
    expect(await graced.get('label', label)).toBe('first');
    const read = `SELECT label FROM ${TABLE} WHERE id = $1`;
    expect((await graced.query(pool, read, [1])).rows).toEqual([{ label: 'first' }]);
    await sleep(200);
    await relay.down();
    try {
      expect(await graced.get('label', label)).toBe('first');
      const answer = await graced.query(pool, read, [1]);
      expect(answer).toMatchObject({ rows: [{ label: 'first' }], stale: true });
      expect(events(name).grace_hit).toBe(2);
      // A second instance, with nothing in memory, finds the stale entry in Redis.
      const other = createTieredCache<unknown>({ name, redis, memory: { max: 10 }, ttlMs: 150, graceMs: 60_000 });
      caches.push(other);
      expect(await other.get('label', label)).toBe('first');
    } finally {
      await relay.up();
    }
    await admin.query(`UPDATE ${TABLE} SET label = 'second' WHERE id = 1`);
    const fresh = await graced.query(pool, read, [1]);
    expect(fresh.rows).toEqual([{ label: 'second' }]);
    expect(fresh.stale).toBeUndefined();
    await admin.query(`UPDATE ${TABLE} SET label = 'first' WHERE id = 1`);
  });

  it('without a grace period an expired entry is gone: the loader\'s error reaches the caller', async () => {
    const { cache: plain } = cache({});
    expect(await plain.get('label', label)).toBe('first');
    await sleep(200);
    await relay.down();
    try {
      await expect(plain.get('label', label)).rejects.toThrow();
    } finally {
      await relay.up();
    }
  });

  it('answers from the stale value when a refresh is slower than the soft timeout, and stores the refresh', async () => {
    const { cache: soft, name } = cache({ graceMs: 60_000, softTimeoutMs: 50 });
    let loads = 0;
    const slowLabel = async (): Promise<string> => {
      loads += 1;
      const result = await pool.query(`SELECT label || '-' || $1::text AS label, pg_sleep(0.4) FROM ${TABLE} WHERE id = 1`, [String(loads)]);
      return result.rows[0].label as string;
    };
    // Adaptive TTL: the first value lives 150 ms, the refreshed one a minute, so the last read below is a plain hit.
    const entry = { ttlMs: (value: unknown) => (value === 'first-1' ? 150 : 60_000) };
    expect(await soft.get('slow', slowLabel, entry)).toBe('first-1');
    await sleep(200);
    const started = Date.now();
    expect(await soft.get('slow', slowLabel, entry)).toBe('first-1');
    expect(Date.now() - started).toBeLessThan(350);
    expect(events(name).soft_timeout).toBe(1);
    // Meanwhile a caller joins the running refresh and gets the same stale answer, without a third load.
    expect(await soft.get('slow', slowLabel, entry)).toBe('first-1');
    await sleep(600);
    expect(await soft.get('slow', slowLabel, entry)).toBe('first-2');
    expect(loads).toBe(2);
  });

  it('abandons a loader at the hard timeout: the stale value if any, else a LoaderTimeoutError', async () => {
    const { cache: hard, name } = cache({ hardTimeoutMs: 100, graceMs: 60_000 });
    const abandoned: Promise<unknown>[] = [];
    const slow = (): Promise<string> => {
      const query = pool.query('SELECT pg_sleep(1)').then(() => 'late');
      abandoned.push(query.catch(() => undefined));
      return query;
    };
    const started = Date.now();
    await expect(hard.get('never', slow)).rejects.toBeInstanceOf(LoaderTimeoutError);
    // Well before the loader's own second.
    expect(Date.now() - started).toBeLessThan(900);
    expect(events(name).hard_timeout).toBe(1);
    // The abandoned query still holds a pooled connection until it ends.
    await Promise.all(abandoned);
    expect(await hard.get('kept', label)).toBe('first');
    await sleep(200);
    expect(await hard.get('kept', slow)).toBe('first');
    expect(events(name)).toMatchObject({ hard_timeout: 2, grace_hit: 1 });
  });
});
