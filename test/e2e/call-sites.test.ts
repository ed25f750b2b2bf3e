/**
 * Call sites, routes, leaked pool clients and transactions, end to end: an
 * Express app (CommonJS) and a plain node:http app (ESM) under the agent,
 * on the real PostgreSQL, each with an N+1 route, a slow route, a handler
 * that keeps its client and one idle inside a transaction; and a TypeScript
 * app compiled by tsc, run with --enable-source-maps, whose call site must be
 * its `.ts` line. The fixture lines asserted end in `// site:<name>`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuerylensReport, ReportCallSite } from '../../report/reportModel';
import { APPS, REGISTER_CJS, ROOT, freePort } from '../helpers/agentProcess';
import { ChildApp } from '../helpers/childApp';
import { waitFor } from '../helpers/waitFor';

const THRESHOLDS = {
  QUERYLENS_POOL_LEAK_MS: '300',
  QUERYLENS_LONG_TRANSACTION_MS: '200',
  QUERYLENS_IDLE_IN_TRANSACTION_MS: '200',
  QUERYLENS_SLOW_QUERY_MS: '200',
};

/** The 1-based line of the fixture's statement marked `// site:<name>`. */
function markedLine(file: string, name: string): number {
  const index = readFileSync(file, 'utf8').split('\n').findIndex((line) => line.endsWith(`// site:${name}`));
  if (index < 0) throw new Error(`${file} has no line marked site:${name}`);
  return index + 1;
}

interface RunningApp {
  readonly app: ChildApp;
  readonly agentUrl: string;
  get(path: string): Promise<void>;
  report(): Promise<QuerylensReport>;
}

async function start(script: string, options: { nodeArgs?: string[]; env?: Record<string, string> } = {}): Promise<RunningApp> {
  const agentPort = await freePort();
  const app = new ChildApp(script, {
    nodeArgs: [...(options.nodeArgs ?? []), '--require', REGISTER_CJS],
    env: { OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(agentPort), ...THRESHOLDS, ...options.env },
  });
  const { port } = await app.waitForLine<{ port?: number }>((line) => typeof line.port === 'number', 30_000);
  const agentUrl = `http://127.0.0.1:${agentPort}`;
  return {
    app,
    agentUrl,
    get: async (path) => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    },
    report: async () => (await (await fetch(`${agentUrl}/querylens/api/report`)).json()) as QuerylensReport,
  };
}

function at(file: string, line: number): Partial<ReportCallSite> {
  return { file: relative(ROOT, file), line };
}

const N_PLUS_ONE = 'SELECT $1::int AS customer_id, $2::int AS order_id, pg_sleep($3)::text AS pause';
const SLOW = 'SELECT pg_sleep($1)::text AS pause';

describe.each([
  { name: 'Express, CommonJS', script: join(APPS, 'callsites-express.cjs'), ordersRoute: 'GET /customers/:id/orders' },
  { name: 'node:http, ESM', script: join(APPS, 'callsites-http.mjs'), ordersRoute: 'GET /customers/:id/orders' },
])('call sites and routes: $name', ({ script, ordersRoute }) => {
  let running: RunningApp;
  let report: QuerylensReport;
  const slowLog = join(mkdtempSync(join(tmpdir(), 'ql-callsites-')), 'slow.log');

  beforeAll(async () => {
    running = await start(script, { env: { QUERYLENS_SLOW_QUERY_LOG: slowLog } });
    await running.get('/customers/7/orders');
    await running.get('/customers/8/orders');
    await running.get('/reports/slow');
    await running.get('/leak');
    await running.get('/idle-transaction');
    report = await waitFor('the leak to be reported', async () => {
      const current = await running.report();
      return current.connectionFindings.some((finding) => finding.kind === 'pool-client-leak') ? current : undefined;
    }, 10_000);
  }, 60_000);

  afterAll(async () => {
    await running?.app.stop();
    rmSync(join(slowLog, '..'), { recursive: true, force: true });
  });

  it('names the N+1 loop\'s route and the line that sends its statement', () => {
    const loop = report.nPlusOne.find((candidate) => candidate.query === N_PLUS_ONE);
    expect(loop, JSON.stringify(report.nPlusOne)).toBeDefined();
    expect(loop!.maxRepetitions).toBe(12);
    expect(loop!.routes).toEqual([{ route: ordersRoute, loops: 2 }]);
    expect(loop!.callSites).toEqual([expect.objectContaining(at(script, markedLine(script, 'n-plus-one')))]);
  });

  it('counts requests, statements and database time per route', () => {
    const orders = report.routes.find((route) => route.route === ordersRoute);
    expect(orders).toMatchObject({ requests: 2, statementsPerRequest: 12 });
    expect(orders!.dbMsPerRequest).toBeGreaterThanOrEqual(12 * 6);
    expect(orders!.statements[0]).toMatchObject({ query: N_PLUS_ONE, callsPerRequest: 12, requestShare: 1 });
    const top = report.queries.top.find((query) => query.query === N_PLUS_ONE);
    expect(top!.routes).toEqual([expect.objectContaining({ route: ordersRoute, requests: 2, callsPerRequest: 12 })]);
    expect(report.routes.find((route) => route.route === 'GET /leak')).toMatchObject({ requests: 1, statementsPerRequest: 0 });
  });

  it('gives the slow statement its route and line, in the report and the slow-query log', () => {
    const slow = report.slowQueries.find((candidate) => candidate.query === SLOW);
    const site = at(script, markedLine(script, 'slow'));
    expect(slow).toMatchObject({ lastRoute: 'GET /reports/slow', lastCallSite: expect.objectContaining(site) });
    const lines = readFileSync(slowLog, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { query: string; route?: string; callSite?: ReportCallSite });
    expect(lines.find((line) => line.query === SLOW)).toMatchObject({ route: 'GET /reports/slow', callSite: expect.objectContaining(site) });
  });

  it('reports the client kept past the leak threshold with its checkout line, route and pool, and lists it as held now', () => {
    const leak = report.connectionFindings.find((finding) => finding.kind === 'pool-client-leak');
    expect(leak).toMatchObject({ route: 'GET /leak', count: 1, releasedLate: 0, callSite: expect.objectContaining(at(script, markedLine(script, 'leak'))) });
    expect(leak!.pool).toBe(report.pools[0]!.name);
    expect(leak!.maxMs).toBeGreaterThanOrEqual(300);
    expect(report.heldClients[0]).toMatchObject({ leaked: true, route: 'GET /leak', callSite: expect.objectContaining({ line: markedLine(script, 'leak') }) });
  });

  it('reports the transaction left idle and open too long, at its BEGIN and route', () => {
    const site = expect.objectContaining(at(script, markedLine(script, 'transaction')));
    for (const kind of ['idle-in-transaction', 'long-transaction'] as const) {
      const finding = report.connectionFindings.find((candidate) => candidate.kind === kind);
      expect(finding, kind).toMatchObject({ route: 'GET /idle-transaction', count: 1, callSite: site });
      expect(finding!.maxMs).toBeGreaterThanOrEqual(290);
    }
  });

  it('counts leaks per pool and transaction durations per pool in /metrics', async () => {
    const metrics = await (await fetch(`${running.agentUrl}/metrics`)).text();
    const pool = report.pools[0]!.name;
    expect(metrics).toContain(`querylens_pool_client_leaks_total{db_client_connection_pool_name="${pool}"`);
    expect(metrics).toMatch(/querylens_pool_client_leaks_total\{[^}]*\} 1\n/);
    expect(metrics).toMatch(/querylens_transaction_duration_count\{[^}]*db_client_connection_pool_name="[^"]+"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/querylens_transaction_idle_total\{[^}]*\} 1\n/);
  });

  it('lists a pool.query client held past the leak threshold as held now, and does not call it a leak', async () => {
    const slow = running.get('/reports/slow');
    await new Promise((resolve) => setTimeout(resolve, 400));
    const during = await running.report();
    await slow;
    const held = during.heldClients.find((client) => client.route === 'GET /reports/slow');
    expect(held, JSON.stringify(during.heldClients)).toMatchObject({ leaked: false, callSite: expect.objectContaining({ line: markedLine(script, 'slow') }) });
    expect(held!.heldMs).toBeGreaterThanOrEqual(300);
    expect(during.connectionFindings.filter((finding) => finding.kind === 'pool-client-leak').map((finding) => finding.route)).toEqual(['GET /leak']);
  });

  it('counts a leaked client released late, and keeps its finding', async () => {
    await running.get('/release');
    const after = await waitFor('the late release', async () => {
      const current = await running.report();
      return current.connectionFindings.find((finding) => finding.kind === 'pool-client-leak' && finding.releasedLate === 1);
    }, 10_000);
    expect(after.count).toBe(1);
    expect((await running.report()).heldClients).toEqual([]);
  });

  it('shows the site and the route on the status page', async () => {
    const page = await (await fetch(`${running.agentUrl}/querylens`)).text();
    const file = relative(ROOT, script);
    expect(page).toContain(`${file}:${markedLine(script, 'n-plus-one')}`);
    expect(page).toContain(`${file}:${markedLine(script, 'leak')}`);
    expect(page).toContain(ordersRoute);
  });
});

describe('call sites through source maps', () => {
  const source = join(APPS, 'callsites-ts', 'app.ts');
  const outDir = mkdtempSync(join(tmpdir(), 'ql-callsites-ts-'));
  let running: RunningApp;

  beforeAll(async () => {
    execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), [
      '--ignoreConfig', '--outDir', outDir, '--sourceMap', '--module', 'commonjs', '--target', 'es2022', '--esModuleInterop', '--types', 'node', '--skipLibCheck', '--strict', source,
    ], { cwd: ROOT });
    running = await start(join(outDir, 'app.js'), { nodeArgs: ['--enable-source-maps'], env: { NODE_PATH: join(ROOT, 'node_modules') } });
  }, 60_000);

  afterAll(async () => {
    await running?.app.stop();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('reports the TypeScript line, not the compiled one', async () => {
    const compiledLine = markedLine(join(outDir, 'app.js'), 'n-plus-one');
    const sourceLine = markedLine(source, 'n-plus-one');
    expect(compiledLine).not.toBe(sourceLine);
    await running.get('/customers/3/orders');
    const loop = await waitFor('the N+1 loop', async () => (await running.report()).nPlusOne.find((candidate) => candidate.query === N_PLUS_ONE), 10_000);
    expect(loop.callSites).toEqual([expect.objectContaining({ file: relative(ROOT, source), line: sourceLine, function: 'customerOrders' })]);
    expect(loop.routes).toEqual([{ route: 'GET /customers/:id/orders', loops: 1 }]);
  });
});
