/**
 * What a stream of writes to one table costs the query cache in Redis, with
 * the real PostgreSQL and Redis: writes announced through the same seam the
 * pg instrumentation uses (core/dataChanges.ts). The memory layer drops the
 * table's entries at every write; Redis and the other instances are told in
 * rounds at most every 10 ms, so a burst of writes costs a bounded number of
 * rounds, and a read made while a write waits for its round goes to the
 * database instead of reading Redis.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTieredCache, type TieredCache } from '../../cache/index';
import { emitDataChange } from '../../core/dataChanges';
import { provideStatementLookup } from '../../core/statementLookup';
import { cacheCounters } from '../../instrumentations/cacheTelemetry/cacheStatistics';
import { TIERED_KEY_PREFIX, tieredKeys } from '../../instrumentations/cacheTelemetry/tieredKeys';
import { analyzeStatement } from '../../sql/analyzeStatement';
import { loadSqlParser } from '../../sql/parse/parser';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const suffix = randomUUID().slice(0, 8);
const TABLE = `qcb_${suffix}`;
const NAME = `qcb-${suffix}`;

const pool = new Pool({ connectionString: DATABASE_URL, max: 2 });
const redis = new Redis(REDIS_URL);
const listener = new Redis(REDIS_URL);
let cache: TieredCache<unknown>;
const published: number[] = [];

beforeAll(async () => {
  await loadSqlParser();
  provideStatementLookup({ analyze: (text) => analyzeStatement(text, { maxSqlLength: 100_000, disabledRules: new Set(), source: 'runtime', rules: [] }) });
  await pool.query(`CREATE TABLE ${TABLE} (id int PRIMARY KEY, label text)`);
  await pool.query(`INSERT INTO ${TABLE} VALUES (1, 'first')`);
  await listener.subscribe(tieredKeys(NAME).channel);
  listener.on('message', () => published.push(performance.now()));
  cache = createTieredCache<unknown>({ name: NAME, redis, memory: { max: 100 }, ttlMs: 60_000, jitter: 0 });
});

afterAll(async () => {
  provideStatementLookup(undefined);
  await cache.close();
  await pool.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await pool.end();
  const keys = await redis.keys(`${TIERED_KEY_PREFIX}:${NAME}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await Promise.all([redis.quit(), listener.quit()]);
});

describe('query cache under a burst of writes', () => {
  const read = `SELECT id, label FROM ${TABLE} WHERE id = $1`;

  it('tells Redis in a bounded number of rounds, the last one after the last write', async () => {
    await cache.query(pool, read, [1]);
    const started = performance.now();
    let lastWrite = 0;
    for (let write = 0; write < 100; write += 1) {
      emitDataChange([TABLE]);
      lastWrite = performance.now();
      await sleep(1);
    }
    const burstMs = lastWrite - started;
    await vi.waitFor(() => expect(published.at(-1) ?? 0).toBeGreaterThan(lastWrite), { timeout: 2_000, interval: 10 });
    await sleep(50);
    // A round at the first write, then one per 10 ms at most (and one more for the writes of the last interval).
    expect(published.length).toBeGreaterThan(1);
    expect(published.length).toBeLessThanOrEqual(Math.ceil(burstMs / 10) + 2);
    expect(cacheCounters(NAME, 'memory').events.write_invalidation).toBeGreaterThanOrEqual(100);
  });

  it('answers a read from the database while a write waits for its round, then caches again', async () => {
    await sleep(50);
    const events = cacheCounters(NAME, 'memory').events;
    let loads = 0;
    const counted = { query: (text: string, values?: unknown[]) => { loads += 1; return pool.query(text, values); } };
    await cache.query(counted, read, [1]);
    const loadsBefore = loads;
    const bypassedBefore = events.bypass_invalidating;
    // Two writes, as pg's hook announces them once committed: the first one's round starts at once,
    // the second, within 10 ms of it, waits for the next round.
    await pool.query(`UPDATE ${TABLE} SET label = 'second' WHERE id = 1`);
    emitDataChange([TABLE]);
    emitDataChange([TABLE]);
    const during = await cache.query(counted, read, [1]);
    expect(during.rows).toEqual([{ id: 1, label: 'second' }]);
    expect(events.bypass_invalidating).toBe(bypassedBefore + 1);
    expect(loads).toBe(loadsBefore + 1);
    await sleep(50);
    await cache.query(counted, read, [1]);
    const cached = await cache.query(counted, read, [1]);
    expect(cached.rows).toEqual([{ id: 1, label: 'second' }]);
    expect(loads).toBe(loadsBefore + 2);
  });
});
