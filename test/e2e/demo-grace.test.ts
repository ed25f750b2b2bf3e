/**
 * `npm run demo` through a restart of its PostgreSQL: a private PostgreSQL
 * cluster and a private redis-server, so the test can stop and start the
 * database under the demo's own traffic. Its `/customer-email` route is
 * cached with `cache.query` and a grace period: the metrics and the status
 * page show its hits and the invalidations caused by the demo's writes, and
 * while PostgreSQL is down the route keeps answering, from expired entries
 * marked stale, counted as grace hits; once it is back the answers are fresh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '../../core/metrics/registry';
import { startDemo, type DemoProcess } from '../helpers/demoProcess';
import { PrivatePostgres, PrivateRedis } from '../helpers/privateServers';
import { waitFor } from '../helpers/waitFor';

const EMAILS = 'demo-customer-emails';

interface EmailAnswer { id?: number; email?: string; stale?: boolean; error?: string }

describe('the demo\'s query cache through a PostgreSQL restart', () => {
  let postgres: PrivatePostgres;
  let redis: PrivateRedis;
  let demo: DemoProcess | undefined;

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start()]);
  }, 60_000);

  afterAll(async () => {
    demo?.kill();
    await Promise.all([redis?.destroy(), postgres?.destroy()]);
  });

  it('shows hits and own-write invalidations, and answers stale within the grace period while the database is down', async () => {
    demo = await startDemo({ DATABASE_URL: postgres.url, REDIS_URL: redis.url, DEMO_ORDERS: '2000', DEMO_HYPOPG: 'off' });
    const running = demo;
    expect(running.stdout()).toContain('query cache              /customer-email: cache.query, 3 s TTL, 10 min grace');
    const events = (event: string) => running.scrapedTotal(METRICS.cacheEvents.scraped, { cache_name: EMAILS, event });
    const positive = (read: () => Promise<number>) => async () => {
      const count = await read();
      return count > 0 ? count : undefined;
    };
    await waitFor('write invalidations of the emails on /metrics', positive(() => events('write_invalidation')), 30_000, 500);
    expect(await running.scrapedTotal(METRICS.cacheRequests.scraped, { cache_name: EMAILS, cache_layer: 'memory', result: 'hit' })).toBeGreaterThan(0);
    const email = async (id: number): Promise<{ status: number; body: EmailAnswer }> => {
      const response = await fetch(`http://127.0.0.1:${running.demoPort}/customer-email?id=${id}`);
      return { status: response.status, body: await response.json() as EmailAnswer };
    };
    expect((await email(1)).body).toMatchObject({ id: 1, email: 'c1@example.test', stale: false });
    const graceBefore = await events('grace_hit');

    await postgres.stop();
    const staleAnswers: EmailAnswer[] = [];
    try {
      // Entries live 3 s: within a few seconds each one has expired, its reload fails, and the grace period answers.
      await waitFor('a stale answer from /customer-email while PostgreSQL is down', async () => {
        for (const id of [1, 2, 3, 4, 5]) {
          const { status, body } = await email(id);
          if (status === 200 && body.stale === true) staleAnswers.push(body);
        }
        return staleAnswers.length >= 5 ? true : undefined;
      }, 20_000, 250);
      expect(await events('grace_hit')).toBeGreaterThan(graceBefore);
      const page = await (await fetch(`http://127.0.0.1:${running.agentPort}/querylens`)).text();
      const caches = page.slice(page.indexOf('<section id="caches">'));
      const row = caches.slice(caches.indexOf(`<td>${EMAILS}</td>`), caches.indexOf('</tr>', caches.indexOf(`<td>${EMAILS}</td>`)));
      expect(row).toMatch(/write invalidation \d/);
      expect(row).toMatch(/grace hit \d/);
    } finally {
      await postgres.restart('start');
    }
    expect(staleAnswers.every((answer) => answer.email?.endsWith('@example.test'))).toBe(true);
    await waitFor('a fresh answer once PostgreSQL is back', async () => {
      const { status, body } = await email(1);
      return status === 200 && body.stale === false ? true : undefined;
    }, 20_000, 250);

    expect(await running.interrupt()).toBe(0);
    expect(running.stderr()).toBe('');
  }, 120_000);
});
