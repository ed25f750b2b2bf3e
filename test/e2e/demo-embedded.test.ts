/**
 * `npm run demo` where no PostgreSQL and no Redis answer (their URLs point at
 * a closed port; the shared servers are left alone): the launcher says so,
 * starts an embedded PostgreSQL (PGlite), runs the cache in memory only, and
 * the demo's pg traffic shows up on /metrics. Ctrl-C (SIGINT) stops it all
 * with exit code 0.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startDemo, type DemoProcess } from '../helpers/demoProcess';
import { waitFor } from '../helpers/waitFor';

const CLOSED = 'postgres://postgres@127.0.0.1:1/test';
const CLOSED_REDIS = 'redis://127.0.0.1:1';

describe('the demo without PostgreSQL and Redis', () => {
  let demo: DemoProcess | undefined;

  afterAll(() => demo?.kill());

  it('runs on an embedded PostgreSQL, serves pg metrics, and stops on SIGINT', async () => {
    demo = await startDemo({ DATABASE_URL: CLOSED, REDIS_URL: CLOSED_REDIS, DEMO_ORDERS: '5000' });
    const stdout = demo.stdout();
    expect(stdout).toContain(`none answers at ${CLOSED} (ECONNREFUSED); starting an embedded PostgreSQL (PGlite)`);
    expect(stdout).toMatch(/PostgreSQL\s+embedded \(PGlite, in memory\) at postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres/);
    expect(stdout).toContain(`none answers at ${CLOSED_REDIS} (ECONNREFUSED); the cache runs in memory only`);
    expect(stdout).toContain(`status page              http://localhost:${demo.agentPort}/querylens`);

    // The traffic generator's statements, measured by the agent against the embedded server.
    const running = demo;
    const selects = { db_system_name: 'postgresql', db_operation_name: 'SELECT' };
    await waitFor('pg operations on /metrics', async () => {
      const total = await running.scrapedTotal('db_client_operation_duration_count', selects);
      return total >= 10 ? total : undefined;
    }, 20_000, 300);
    // The orders' N+1 route runs nine statements on the embedded server, slower than the cached emails' lookups: wait for it too.
    expect(await waitFor('SELECTs of ql_demo_orders on /metrics', async () => {
      const total = await running.scrapedTotal('db_client_operation_duration_count', { ...selects, db_collection_name: 'ql_demo_orders' });
      return total > 0 ? total : undefined;
    }, 20_000, 300)).toBeGreaterThan(0);
    const report = (await (await fetch(`http://127.0.0.1:${demo.agentPort}/querylens/api/report`)).json()) as { findings: { rule: string }[] };
    expect(report.findings.map((finding) => finding.rule)).toContain('select-star');

    expect(await demo.interrupt()).toBe(0);
    expect(demo.stdout()).toContain('demo stopped');
    expect(demo.stderr()).toBe('');
  }, 75_000);
});
