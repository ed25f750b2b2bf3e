/**
 * The SQL runtime through the real preload: a fixture service started with
 * `node --require ./dist/agent/register.js` (run `npm run build` first) on
 * the real PostgreSQL, read through `/metrics` and `/querylens/api/report`.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '../../core/metrics/registry';
import { EXPLAIN_IDLE_CLOSE_MS } from '../../agentQueries/explainRunner';
import type { QuerylensReport } from '../../report/reportModel';
import { APPS, REGISTER_CJS, ROOT, freePort, lastJsonLine, runNode } from '../helpers/agentProcess';
import { find, parseSamples } from '../helpers/promText';
import { waitFor } from '../helpers/waitFor';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECRET = `ql-e2e-secret-${randomUUID()}`;
const SLOW_QUERY_MS = 5;
const LOOP_ITEMS = 8;
const LITERAL_CALLS = 25;

let child: ChildProcessByStdio<null, Readable, Readable>;
let output = '';
let agentPort: number;
let appPort: number;
let logDir: string;

async function get(port: number, route: string): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}${route}`);
  expect(response.status, `${route}`).toBe(200);
  return response.text();
}

async function report(): Promise<QuerylensReport> {
  return JSON.parse(await get(agentPort, '/querylens/api/report')) as QuerylensReport;
}

beforeAll(async () => {
  if (!existsSync(REGISTER_CJS)) throw new Error(`${REGISTER_CJS} is missing: run npm run build first`);
  agentPort = await freePort();
  logDir = mkdtempSync(path.join(tmpdir(), 'ql-e2e-slowlog-'));
  child = spawn(process.execPath, ['--require', REGISTER_CJS, path.join(APPS, 'sql-runtime-app.cjs')], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL,
      QL_SECRET: SECRET,
      QL_LOOP_ITEMS: String(LOOP_ITEMS),
      QL_LITERAL_CALLS: String(LITERAL_CALLS),
      OTEL_SERVICE_NAME: 'sql-runtime-e2e',
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(agentPort),
      QUERYLENS_SLOW_QUERY_MS: String(SLOW_QUERY_MS),
      QUERYLENS_SLOW_QUERY_LOG: path.join(logDir, 'slow.jsonl'),
      // The literal-built route sends 25 new texts at once; on a loaded machine the default
      // analysis budget (50 ms/s) could defer some of them, and the test would measure the budget.
      QUERYLENS_ANALYSIS_BUDGET_MS: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  appPort = await waitFor('the fixture app to listen', () => {
    const line = output.split('\n').find((l) => l.startsWith('{"port"'));
    return line === undefined ? undefined : (JSON.parse(line) as { port: number }).port;
  }, 30_000);
  // Statements are analysed once the SQL parser (WASM) has loaded.
  await waitFor('the SQL parser', async () => ((JSON.parse(await get(agentPort, '/healthz')) as { sqlParserReady?: boolean }).sqlParserReady ? true : undefined), 10_000);

  for (const route of ['/orders', '/search', '/search', '/stacked', '/literal']) await get(appPort, route);
  await waitFor('the automatic EXPLAIN of the slow scan', async () => ((await report()).explain.ok >= 1 ? true : undefined), 15_000);
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query('DROP TABLE IF EXISTS ql_rt_e2e_big, ql_rt_e2e_items');
  await admin.end();
  if (logDir) rmSync(logDir, { recursive: true, force: true });
});

describe('SQL runtime under the preloaded agent', () => {
  it('finds the N+1 loop of one HTTP request', async () => {
    const loops = (await report()).nPlusOne;
    const loop = loops.find((l) => l.query.includes('ql_rt_e2e_items') && l.query.includes('pg_sleep'));
    expect(loop).toMatchObject({ loops: 1, maxRepetitions: LOOP_ITEMS });
    const samples = parseSamples(await get(agentPort, '/metrics'));
    expect(find(samples, METRICS.nPlusOne.scraped, { fingerprint: loop!.fingerprint })[0]?.value).toBe(1);
  });

  it('explains the slow sequential scan on its own connection and keeps the plan without the bound value', async () => {
    const current = await report();
    const slow = current.slowQueries.find((s) => s.query.includes('ql_rt_e2e_big'));
    expect(slow?.slowExecutions).toBe(2);
    expect(slow?.explain?.outcome).toBe('ok');
    expect(slow?.plan?.summary).toContain('Seq Scan on "ql_rt_e2e_big"');
    expect(slow?.findings).toEqual(expect.arrayContaining(['slow-query', 'plan-seq-scan-filter']));
    // The agent's EXPLAIN and its plan-context query are not recorded as app statements.
    expect(current.queries.top.some((q) => /EXPLAIN|pg_class|statement_timeout/i.test(q.query))).toBe(false);
    const samples = parseSamples(await get(agentPort, '/metrics'));
    expect(find(samples, METRICS.explainRuns.scraped, { outcome: 'ok' })[0]?.value).toBeGreaterThanOrEqual(1);
    expect(find(samples, METRICS.slowQueries.scraped, { db_system_name: 'postgresql', db_operation_name: 'SELECT' })[0]?.value).toBeGreaterThanOrEqual(2);
  });

  it('flags stacked statements and literal-built SQL', async () => {
    const rules = new Set((await report()).findings.map((f) => f.rule));
    expect(rules).toContain('stacked-statements');
    expect(rules).toContain('literal-built-sql');
    const samples = parseSamples(await get(agentPort, '/metrics'));
    for (const rule of ['stacked-statements', 'literal-built-sql', 'n-plus-one', 'slow-query']) {
      expect(find(samples, METRICS.findings.scraped, { rule })[0]?.value, rule).toBeGreaterThanOrEqual(1);
    }
    expect(find(samples, METRICS.flaggedExecutions.scraped, { rule: 'literal-built-sql' })[0]?.value).toBeGreaterThanOrEqual(1);
  });

  it('exports per-query statistics joined to readable SQL', async () => {
    const samples = parseSamples(await get(agentPort, '/metrics'));
    const info = find(samples, METRICS.queryInfo.scraped).find((s) => s.labels.query === 'SELECT id, note FROM ql_rt_e2e_big WHERE note = $1');
    expect(info).toBeDefined();
    const calls = find(samples, METRICS.queryCalls.scraped, { fingerprint: info!.labels.fingerprint! });
    expect(calls[0]?.labels).toMatchObject({ db_operation_name: 'SELECT', db_collection_name: 'ql_rt_e2e_big' });
    expect(calls[0]?.value).toBe(2);
  });

  it('lets the bound secret appear in no metric, report, slow-query log line or agent output', async () => {
    const metricsText = await get(agentPort, '/metrics');
    const reportText = await get(agentPort, '/querylens/api/report');
    const log = readFileSync(path.join(logDir, 'slow.jsonl'), 'utf8');
    expect(reportText).toContain('ql_rt_e2e_big');
    expect(log).toContain('ql_rt_e2e_big');
    for (const text of [metricsText, reportText, log, output]) expect(text).not.toContain(SECRET);
  });
});

describe('automatic EXPLAIN and process lifetime', () => {
  it('lets a script exit by itself right after its slow statement was explained', async () => {
    const port = await freePort();
    const run = await runNode(path.join(APPS, 'slow-query-exits.cjs'), {
      nodeArgs: ['--require', REGISTER_CJS],
      env: { DATABASE_URL, OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(port), QUERYLENS_SLOW_QUERY_MS: String(SLOW_QUERY_MS) },
      timeoutMs: 45_000,
    });
    expect(run.code, run.stderr).toBe(0);
    const result = lastJsonLine<{ explain: { ok: number }; lingeredMs: number }>(run.stdout);
    expect(result.explain.ok).toBe(1);
    // The agent's idle EXPLAIN connection would hold the process this long if it were not unref'd.
    expect(result.lingeredMs).toBeLessThan(EXPLAIN_IDLE_CLOSE_MS);
  }, 60_000);
});
