/**
 * POST /querylens/api/actions/<reset-stats|clear-caches> on an app under the
 * agent: disabled (403) without QUERYLENS_ADMIN_TOKEN; 401 without a token or
 * with a wrong one (nothing reset); with the right token the statement
 * statistics and the in-process caches are really emptied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStatusPageApp, type StatusPageApp } from '../helpers/statusPageApp';

const TOKEN = `ql-admin-${process.pid}-${Date.now()}`;

function post(app: StatusPageApp, action: string, authorization?: string): Promise<Response> {
  return fetch(`${app.agentUrl}/querylens/api/actions/${action}`, {
    method: 'POST',
    headers: authorization === undefined ? {} : { authorization },
  });
}

function executions(report: Awaited<ReturnType<StatusPageApp['report']>>): number {
  return report.queries.top.reduce((sum, query) => sum + query.calls, report.queries.other.calls);
}

/** Sum of querylens_query_calls_total over its series, as Prometheus scrapes it. */
async function scrapedCalls(app: StatusPageApp): Promise<number> {
  const text = await (await fetch(`${app.agentUrl}/metrics`)).text();
  return text.split('\n').filter((line) => line.startsWith('querylens_query_calls_total{'))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

function memoryEntries(report: Awaited<ReturnType<StatusPageApp['report']>>, name: string): number | undefined {
  return report.caches.find((cache) => cache.layer === 'memory' && cache.name === name)?.entries;
}

describe('admin actions', () => {
  let secured: StatusPageApp;
  let open: StatusPageApp;

  beforeAll(async () => {
    [secured, open] = await Promise.all([
      startStatusPageApp('ql_page_admin', { QUERYLENS_ADMIN_TOKEN: TOKEN }),
      startStatusPageApp('ql_page_admin_off', { QUERYLENS_ADMIN_TOKEN: undefined }),
    ]);
    await secured.round();
    await open.round();
  }, 60_000);

  afterAll(async () => {
    await Promise.all([secured?.stop(), open?.stop()]);
  });

  it('are disabled (403) when no token is configured, whatever the caller sends', async () => {
    for (const action of ['reset-stats', 'clear-caches']) {
      const answer = await post(open, action, `Bearer ${TOKEN}`);
      expect(answer.status).toBe(403);
      expect(answer.headers.get('content-type')).toContain('application/json');
      expect(((await answer.json()) as { error: string }).error).toContain('QUERYLENS_ADMIN_TOKEN');
    }
    expect(executions(await open.report())).toBeGreaterThan(0);
  });

  it('refuse a missing or wrong token with 401 and change nothing', async () => {
    const before = executions(await secured.report());
    const refusals = [
      await post(secured, 'reset-stats'),
      await post(secured, 'reset-stats', 'Bearer wrong-token'),
      await post(secured, 'reset-stats', `Bearer ${TOKEN}x`),
      await post(secured, 'reset-stats', `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`),
      await post(secured, 'clear-caches', `Bearer ${TOKEN.slice(0, -1)}`),
    ];
    for (const answer of refusals) {
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toContain('Bearer');
    }
    expect(executions(await secured.report())).toBeGreaterThanOrEqual(before);
    expect(memoryEntries(await secured.report(), 'page-recent')).toBeGreaterThan(0);
  });

  it('answer GET with 405: an action needs POST', async () => {
    const answer = await fetch(`${secured.agentUrl}/querylens/api/actions/reset-stats`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(answer.status).toBe(405);
  });

  it('reset the statement statistics with the right token', async () => {
    const before = await secured.report();
    expect(executions(before)).toBeGreaterThan(0);
    const scrapedBefore = await scrapedCalls(secured);
    expect(scrapedBefore).toBeGreaterThan(0);
    expect(before.findings.length).toBeGreaterThan(0);
    const answer = await post(secured, 'reset-stats', `Bearer ${TOKEN}`);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ action: 'reset-stats', ok: true });
    const after = await secured.report();
    expect(executions(after)).toBe(0);
    expect(after.findings).toEqual([]);
    expect(Date.parse(after.statsSince)).toBeGreaterThan(Date.parse(before.statsSince));
    // Prometheus counters stay cumulative: a reset of the report is not a counter reset.
    expect(await scrapedCalls(secured)).toBeGreaterThanOrEqual(scrapedBefore);
    // Recording goes on after a reset.
    await secured.round();
    expect(executions(await secured.report())).toBeGreaterThan(0);
  });

  it('empty every in-process cache with the right token', async () => {
    expect(memoryEntries(await secured.report(), 'page-recent')).toBeGreaterThan(0);
    expect(memoryEntries(await secured.report(), 'page-customers')).toBeGreaterThan(0);
    const answer = await post(secured, 'clear-caches', `bearer ${TOKEN}`);
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { cleared: number; failed: number };
    expect(body.cleared).toBeGreaterThanOrEqual(2);
    expect(body.failed).toBe(0);
    const after = await secured.report();
    expect(memoryEntries(after, 'page-recent')).toBe(0);
    expect(memoryEntries(after, 'page-customers')).toBe(0);
  });
});
