/**
 * `npm run demo` on a real PostgreSQL and Redis: a database of its own on the
 * shared PostgreSQL server (dropped afterwards) and a private redis-server,
 * so no run sees another's tables or cache entries. The launcher finds both,
 * the demo creates its two tables there, and within seconds both layers of
 * its tiered cache serve hits: memory keeps an entry 5 s, Redis 60 s, so
 * Redis answers once the memory copy has expired.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '../../core/metrics/registry';
import { startDemo, type DemoProcess } from '../helpers/demoProcess';
import { PrivateRedis } from '../helpers/privateServers';
import { waitFor } from '../helpers/waitFor';

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DATABASE = `ql_demo_${randomBytes(4).toString('hex')}`;

async function onServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function databaseUrl(): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${DATABASE}`;
  return url.href;
}

const cacheRequests = METRICS.cacheRequests.scraped;

describe('the demo on PostgreSQL and Redis', () => {
  let redis: PrivateRedis;
  let demo: DemoProcess | undefined;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    await onServer(`CREATE DATABASE ${DATABASE}`);
  });

  afterAll(async () => {
    demo?.kill();
    await redis?.destroy();
    await onServer(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  });

  it('creates its tables in DATABASE_URL\'s database, and both cache layers serve hits', async () => {
    demo = await startDemo({ DATABASE_URL: databaseUrl(), REDIS_URL: redis.url, DEMO_ORDERS: '5000' });
    expect(demo.stdout()).toContain(`PostgreSQL               ${databaseUrl()}`);
    expect(demo.stdout()).toContain(`Redis                    ${redis.url}`);
    expect(demo.stdout()).toContain('cache                    memory (5 s), then Redis (60 s)');

    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    // Base tables: the demo also installs HypoPG where it can, whose views live in public too.
    const { rows } = await client.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name");
    await client.end();
    expect(rows.map((row) => row.table_name)).toEqual(['ql_demo_customers', 'ql_demo_orders']);

    const running = demo;
    const hits = (layer: string) => running.scrapedTotal(cacheRequests, { cache_name: 'demo-customers', cache_layer: layer, result: 'hit' });
    const redisHits = await waitFor('Redis-layer hits of demo-customers on /metrics', async () => {
      const count = await hits('redis');
      return count > 0 ? count : undefined;
    }, 30_000, 500);
    expect(redisHits).toBeGreaterThan(0);
    expect(await hits('memory')).toBeGreaterThan(0);
    // cache.query's entries: hits, and invalidations caused by the demo's own writes (/rename).
    const emailEvents = (event: string) => running.scrapedTotal(METRICS.cacheEvents.scraped, { cache_name: 'demo-customer-emails', event });
    expect(await waitFor('write invalidations of demo-customer-emails on /metrics', async () => {
      const count = await emailEvents('write_invalidation');
      return count > 0 ? count : undefined;
    }, 30_000, 500)).toBeGreaterThan(0);
    expect(await running.scrapedTotal(cacheRequests, { cache_name: 'demo-customer-emails', cache_layer: 'memory', result: 'hit' })).toBeGreaterThan(0);

    expect(await demo.interrupt()).toBe(0);
    expect(demo.stderr()).toBe('');
  }, 90_000);
});
