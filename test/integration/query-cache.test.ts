/**
 * Query-result caching invalidated by the app's own writes, with the real
 * PostgreSQL and Redis: two app processes (each with the agent preloaded)
 * share one tiered cache through Redis.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Pool } from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIERED_KEY_PREFIX } from '../../instrumentations/cacheTelemetry/tieredKeys';
import { REGISTER_CJS, ROOT } from '../helpers/agentProcess';
import { IpcWorker } from '../helpers/ipcWorker';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const WORKER = join(ROOT, 'test', 'fixtures', 'cache', 'query-cache-worker.cjs');
const suffix = randomUUID().slice(0, 8);
const ITEMS = `qc_${suffix}_items`;
const OWNERS = `qc_${suffix}_owners`;
const CACHE_NAME = `qc-${suffix}`;

interface Counts { loads: number; memoryHits: number; redisHits: number }
interface Reply { rows?: Record<string, unknown>[]; inside?: Record<string, unknown>[]; counts: Counts; error?: string }

class Worker extends IpcWorker<Reply> {
  constructor() {
    super(WORKER, {
      execArgv: ['--require', REGISTER_CJS],
      // The whole analysis budget: a text deferred past it is run uncached, or invalidates every entry if it writes (docs/caches.md), which these cases are not about.
      env: {
        ...process.env, DATABASE_URL, REDIS_URL, CACHE_NAME,
        OTEL_EXPORTER_PROMETHEUS_PORT: '0', QUERYLENS_STARTUP_LOG: 'off', QUERYLENS_ANALYSIS_BUDGET_MS: '1000',
      },
    });
  }

  read(text: string, values?: unknown[]): Promise<Reply> {
    return this.send('read', { text, values });
  }
}

/** Another instance hears of an invalidation over pub/sub: read until the rows change, up to a deadline. */
async function readUntil(worker: Worker, text: string, values: unknown[], wanted: (rows: Record<string, unknown>[]) => boolean): Promise<Reply> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const reply = await worker.read(text, values);
    if (wanted(reply.rows ?? []) || Date.now() > deadline) return reply;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const admin = new Pool({ connectionString: DATABASE_URL, max: 1 });
let a: Worker;
let b: Worker;
const BY_ID = `SELECT id, label FROM ${ITEMS} WHERE id = $1`;
const labelOf = (reply: Reply) => reply.rows?.[0]?.['label'];

beforeAll(async () => {
  await admin.query(`CREATE TABLE ${OWNERS} (id int PRIMARY KEY, name text)`);
  await admin.query(`CREATE TABLE ${ITEMS} (id int PRIMARY KEY, label text, owner int, created timestamptz DEFAULT now())`);
  await admin.query(`INSERT INTO ${OWNERS} VALUES (1, 'ann')`);
  await admin.query(`INSERT INTO ${ITEMS} (id, label, owner) SELECT g, 'item ' || g, 1 FROM generate_series(1, 5) g`);
  a = new Worker();
  b = new Worker();
  await Promise.all([a.send('ready'), b.send('ready')]);
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.send('exit'), b?.send('exit')].map((sent) => sent?.catch(() => undefined)));
  await admin.query(`DROP TABLE IF EXISTS ${ITEMS}, ${OWNERS}`);
  await admin.end();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${TIERED_KEY_PREFIX}:${CACHE_NAME}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('cache.query with write-driven invalidation', () => {
  it('caches a read in both processes, and a write through a pool in one invalidates it in both', async () => {
    const first = await a.read(BY_ID, [1]);
    expect(labelOf(first)).toBe('item 1');
    const fromRedis = await b.read(BY_ID, [1]);
    expect(labelOf(fromRedis)).toBe('item 1');
    expect(fromRedis.counts.loads).toBe(0);
    expect(fromRedis.counts.redisHits).toBe(1);
    const again = await a.read(BY_ID, [1]);
    expect(again.counts.loads).toBe(first.counts.loads);

    await a.send('write', { text: `UPDATE ${ITEMS} SET label = $1 WHERE id = $2`, values: ['renamed', 1] });
    const inA = await a.read(BY_ID, [1]);
    expect(labelOf(inA)).toBe('renamed');
    expect(inA.counts.loads).toBe(first.counts.loads + 1);
    expect(labelOf(await readUntil(b, BY_ID, [1], (rows) => rows[0]?.['label'] === 'renamed'))).toBe('renamed');
  });

  it('a rolled-back write invalidates nothing', async () => {
    const before = await a.read(BY_ID, [2]);
    await b.read(BY_ID, [2]);
    await a.send('begin');
    await a.send('inTransaction', { text: `UPDATE ${ITEMS} SET label = 'never' WHERE id = 2` });
    await a.send('end', { text: 'ROLLBACK' });
    const after = await a.read(BY_ID, [2]);
    expect(labelOf(after)).toBe('item 2');
    expect(after.counts.loads).toBe(before.counts.loads);
    const inB = await b.read(BY_ID, [2]);
    expect(inB.counts.loads).toBe(0);
  });

  it('a write inside a transaction invalidates on commit; the transaction reads its own write, nobody else does', async () => {
    await a.read(BY_ID, [3]);
    await a.send('begin');
    await a.send('inTransaction', { text: `UPDATE ${ITEMS} SET label = 'committed' WHERE id = 3` });
    const own = await a.send('inTransaction', { text: `SELECT id, label FROM ${ITEMS} WHERE id = 3`, cachedRead: true });
    expect(own.rows?.[0]?.['label']).toBe('committed');
    // Before the commit, the other process and this one's pool still read the committed rows, from the cache.
    expect(labelOf(await b.read(BY_ID, [3]))).toBe('item 3');
    expect(labelOf(await a.read(BY_ID, [3]))).toBe('item 3');
    await a.send('end', { text: 'COMMIT' });
    expect(labelOf(await a.read(BY_ID, [3]))).toBe('committed');
    expect(labelOf(await readUntil(b, BY_ID, [3], (rows) => rows[0]?.['label'] === 'committed'))).toBe('committed');
  });

  it('a join and a CTE are tagged with all their tables', async () => {
    const join = `SELECT i.id, o.name FROM ${ITEMS} i JOIN ${OWNERS} o ON o.id = i.owner WHERE i.id = $1`;
    const cte = `WITH names AS (SELECT id, name FROM ${OWNERS}) SELECT i.id, n.name FROM ${ITEMS} i, names n WHERE n.id = i.owner AND i.id = $1`;
    expect((await a.read(join, [4])).rows?.[0]?.['name']).toBe('ann');
    expect((await a.read(cte, [4])).rows?.[0]?.['name']).toBe('ann');
    const cached = await a.read(cte, [4]);
    await b.send('write', { text: `UPDATE ${OWNERS} SET name = 'bea' WHERE id = 1` });
    const isBea = (rows: Record<string, unknown>[]) => rows[0]?.['name'] === 'bea';
    expect((await readUntil(a, join, [4], isBea)).rows?.[0]?.['name']).toBe('bea');
    const afterCte = await readUntil(a, cte, [4], isBea);
    expect(afterCte.rows?.[0]?.['name']).toBe('bea');
    expect(afterCte.counts.loads).toBeGreaterThan(cached.counts.loads);
  });

  it('a statement with now() is not cached', async () => {
    const text = `SELECT now() AS at, label FROM ${ITEMS} WHERE id = $1`;
    const first = await a.read(text, [5]);
    const second = await a.read(text, [5]);
    expect(second.counts.loads).toBe(first.counts.loads + 1);
    expect(second.rows?.[0]?.['at']).not.toEqual(first.rows?.[0]?.['at']);
  });

  it('a cached timestamp comes back as a Date, as pg returns it', async () => {
    const text = `SELECT created FROM ${ITEMS} WHERE id = $1`;
    await a.read(text, [5]);
    const fromRedis = await b.read(text, [5]);
    expect(fromRedis.counts.redisHits).toBeGreaterThan(0);
    // Sent over IPC, a Date becomes its ISO string; a cached string would have kept pg's text form.
    expect(String(fromRedis.rows?.[0]?.['created'])).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});
