/**
 * What a stream of writes to one table costs the query cache in Redis, with
 * the real PostgreSQL and Redis: writes announced through the same seam the
 * pg instrumentation uses (core/dataChanges.ts). The memory layer drops the
 * table's entries at every write; Redis and the other instances are told in
 * rounds at most every ROUND_INTERVAL_MS, one command per round whatever the
 * number of tables, so a burst of writes costs a bounded number of rounds,
 * and a read made while a write waits for its round goes to the database
 * instead of reading Redis.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTieredCache, type TieredCache } from '../../cache/index';
import { ROUND_INTERVAL_MS } from '../../cache/invalidationRounds';
import { tableTag } from '../../cache/statementCacheability';
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
const OTHER_TABLES = [`qcb_${suffix}_a`, `qcb_${suffix}_b`];
const NAME = `qcb-${suffix}`;

const pool = new Pool({ connectionString: DATABASE_URL, max: 2 });
const redis = new Redis(REDIS_URL);
const listener = new Redis(REDIS_URL);
/** The cache's own client, counting the commands it sends. */
const cacheClient = new Redis(REDIS_URL);
const sent: string[] = [];
let cache: TieredCache<unknown>;
const published: number[] = [];
const publishedTags: (string | undefined)[] = [];

beforeAll(async () => {
  await loadSqlParser();
  provideStatementLookup({ analyze: (text) => analyzeStatement(text, { maxSqlLength: 100_000, disabledRules: new Set(), source: 'runtime', rules: [] }) });
  await pool.query(`CREATE TABLE ${TABLE} (id int PRIMARY KEY, label text)`);
  await pool.query(`INSERT INTO ${TABLE} VALUES (1, 'first')`);
  for (const table of OTHER_TABLES) await pool.query(`CREATE TABLE ${table} (id int PRIMARY KEY)`);
  await listener.subscribe(tieredKeys(NAME).channel);
  listener.on('message', (_channel: string, message: string) => {
    published.push(performance.now());
    publishedTags.push((JSON.parse(message) as { t?: string }).t);
  });
  const sendCommand = cacheClient.sendCommand.bind(cacheClient);
  cacheClient.sendCommand = (command, stream) => {
    sent.push(command.name);
    return sendCommand(command, stream);
  };
  cache = createTieredCache<unknown>({ name: NAME, redis: cacheClient, memory: { max: 100 }, ttlMs: 60_000, jitter: 0 });
});

afterAll(async () => {
  provideStatementLookup(undefined);
  await cache.close();
  await pool.query(`DROP TABLE IF EXISTS ${[TABLE, ...OTHER_TABLES].join(', ')}`);
  await pool.end();
  const keys = await redis.keys(`${TIERED_KEY_PREFIX}:${NAME}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await Promise.all([redis.quit(), listener.quit(), cacheClient.quit()]);
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
    await sleep(ROUND_INTERVAL_MS);
    // A round at the first write, then one per interval at most (and one more for the writes of the last interval).
    expect(published.length).toBeGreaterThan(1);
    expect(published.length).toBeLessThanOrEqual(Math.ceil(burstMs / ROUND_INTERVAL_MS) + 2);
    expect(cacheCounters(NAME, 'memory').events.write_invalidation).toBeGreaterThanOrEqual(100);
  });

  it('answers a read from the database while a write waits for its round, then caches again', async () => {
    await sleep(2 * ROUND_INTERVAL_MS);
    const events = cacheCounters(NAME, 'memory').events;
    let loads = 0;
    const counted = { query: (text: string, values?: unknown[]) => { loads += 1; return pool.query(text, values); } };
    await cache.query(counted, read, [1]);
    const loadsBefore = loads;
    const bypassedBefore = events.bypass_invalidating;
    // Two writes, as pg's hook announces them once committed: the first one's round starts (a
    // microtask later), the second comes while it runs and waits for the next round.
    await pool.query(`UPDATE ${TABLE} SET label = 'second' WHERE id = 1`);
    emitDataChange([TABLE]);
    await Promise.resolve();
    emitDataChange([TABLE]);
    const during = await cache.query(counted, read, [1]);
    expect(during.rows).toEqual([{ id: 1, label: 'second' }]);
    expect(events.bypass_invalidating).toBe(bypassedBefore + 1);
    expect(loads).toBe(loadsBefore + 1);
    await sleep(2 * ROUND_INTERVAL_MS);
    await cache.query(counted, read, [1]);
    const cached = await cache.query(counted, read, [1]);
    expect(cached.rows).toEqual([{ id: 1, label: 'second' }]);
    expect(loads).toBe(loadsBefore + 2);
  });

  it('tells Redis of writes to several tables in one command, and each table to the other instances', async () => {
    await sleep(2 * ROUND_INTERVAL_MS);
    for (const table of OTHER_TABLES) await cache.query(pool, `SELECT id FROM ${table} WHERE id = $1`, [1]);
    const [tableTags, first] = [published.length, sent.length];
    // One statement writing two tables, and another table's write in the same tick.
    emitDataChange(OTHER_TABLES);
    emitDataChange([TABLE]);
    await vi.waitFor(() => expect(published.length).toBe(tableTags + 3), { timeout: 2_000, interval: 10 });
    await sleep(2 * ROUND_INTERVAL_MS);
    expect(sent.slice(first)).toEqual(['eval']);
    expect(published.length).toBe(tableTags + 3);
    for (const table of OTHER_TABLES) expect(await redis.exists(tieredKeys(NAME).tag(tableTag(table)))).toBe(0);
  });

  it('tells the other instances of a small table before a large one written in the same round', async () => {
    await sleep(2 * ROUND_INTERVAL_MS);
    const [large, small] = OTHER_TABLES.map(tableTag);
    for (let i = 0; i < 1_200; i += 1) await cache.get(`large-${i}`, () => i, { tags: [large!] });
    await cache.get('small', () => 0, { tags: [small!] });
    const [messagesBefore, sentBefore] = [publishedTags.length, sent.length];
    emitDataChange([OTHER_TABLES[0]!, OTHER_TABLES[1]!]);
    await vi.waitFor(() => expect(publishedTags.slice(messagesBefore)).toHaveLength(2), { timeout: 5_000, interval: 10 });
    // The first command shares its 500 members out: the small table is done, the large one needs more.
    expect(publishedTags.slice(messagesBefore)).toEqual([small, large]);
    expect(sent.slice(sentBefore).filter((name) => name === 'eval').length).toBeGreaterThan(2);
  });

  it('has nothing to wait for in a cache without Redis: a read right after a write is cached again', async () => {
    const memoryOnly = createTieredCache<unknown>({ name: `${NAME}-memory`, memory: { max: 100 }, ttlMs: 60_000, jitter: 0 });
    try {
      const events = cacheCounters(`${NAME}-memory`, 'memory').events;
      let loads = 0;
      const counting = { query: (text: string, values?: unknown[]) => { loads += 1; return pool.query(text, values); } };
      await memoryOnly.query(counting, read, [1]);
      emitDataChange([TABLE]);
      await memoryOnly.query(counting, read, [1]);
      await memoryOnly.query(counting, read, [1]);
      expect(events.bypass_invalidating).toBe(0);
      expect(loads).toBe(2);
    } finally {
      await memoryOnly.close();
    }
  });

  it('answers from the database while a table\'s removal from Redis waits for its replay, not with Redis\'s old rows', async () => {
    // A Redis user that may read and write but not run scripts: the invalidation fails, GETs still answer.
    const user = `ql_noeval_${suffix}`;
    await redis.call('ACL', 'SETUSER', user, 'on', '>secret', '~*', '&*', '+@all', '-eval', '-evalsha');
    const limited = new Redis(REDIS_URL, { username: user, password: 'secret' });
    const name = `${NAME}-replay`;
    const first = createTieredCache<unknown>({ name, redis: limited, memory: { max: 100 }, ttlMs: 60_000, jitter: 0 });
    try {
      await pool.query(`UPDATE ${TABLE} SET label = 'before replay' WHERE id = 1`);
      expect((await first.query(pool, read, [1])).rows).toEqual([{ id: 1, label: 'before replay' }]);
      await pool.query(`UPDATE ${TABLE} SET label = 'after replay' WHERE id = 1`);
      emitDataChange([TABLE]);
      // The round fails (no EVAL for this user) and the tag waits for its replay; Redis still holds the old rows.
      await vi.waitFor(() => expect(cacheCounters(name, 'redis').errors).toBeGreaterThan(0), { timeout: 2_000, interval: 10 });
      await sleep(2 * ROUND_INTERVAL_MS);
      expect((await first.query(pool, read, [1])).rows).toEqual([{ id: 1, label: 'after replay' }]);
      expect(cacheCounters(name, 'memory').events.bypass_invalidating).toBe(1);
    } finally {
      await first.close();
      limited.disconnect();
      await redis.call('ACL', 'DELUSER', user);
    }
  });
});
