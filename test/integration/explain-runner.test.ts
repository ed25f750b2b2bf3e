/**
 * Automatic EXPLAIN and the runtime recorder on the real PostgreSQL: a slow
 * sequential scan over 100k rows, explained on the agent's own connection,
 * with the plan kept (sanitized), outcomes counted, once per interval, bounded
 * by statement_timeout; and a bound secret that must appear nowhere.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { isTracingSuppressed } from '@opentelemetry/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../agent/config';
import { METRICS } from '../../core/metrics/registry';
import type { QueryEvent } from '../../core/queryEvents';
import { createQueryRecorder, type QueryRecorder } from '../../recording/queryRecorder';
import { buildReport } from '../../report/buildReport';
import { loadSqlParser } from '../../sql/parse/parser';
import { StatementCache } from '../../recording/statementCache';
import { createSlowQueryLog, type SlowQueryLog } from '../../exporters/slowQueryLog';
import { agentQuery, isAgentQuery } from '../../agentQueries/agentQuery';
import { defaultConnectionConfigFor, urlTargetsServer } from '../../agentQueries/explainConnection';
import { EXPLAIN_APPLICATION_NAME, createExplainRunner, type ExplainClientClass, type ExplainRunner } from '../../agentQueries/explainRunner';
import { CacheMetricsReader } from '../helpers/cacheMetrics';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TABLE = 'ql_rt_big';
const ROWS = 100_000;
const TIMEOUT_MS = 400;
const SECRET = `ql-secret-${randomUUID()}`;
const SLOW_SCAN = `SELECT id, note FROM ${TABLE} WHERE note = $1`;

const url = new URL(DATABASE_URL);
const server = { address: url.hostname, port: Number(url.port || 5432), database: url.pathname.slice(1) };
const config = {
  ...readConfig({ QUERYLENS_SLOW_QUERY_MS: '1', QUERYLENS_EXPLAIN_INTERVAL_MS: '60000' }, (line) => { throw new Error(line); }),
};

let pool: pg.Pool;
let admin: pg.Client;
let metrics: CacheMetricsReader;
let runner: ExplainRunner;
let recorder: QueryRecorder;
let slowLog: SlowQueryLog;
let logDir: string;
let clock = Date.now();
const cache = new StatementCache({ maxSqlLength: config.maxSqlLength, disabledRules: new Set(), source: 'runtime' });

/** What the pg hook does for one statement: run it on the app's pool, time it, hand the event over. */
async function runAsApp(text: string, values?: unknown[], contextKey?: string): Promise<void> {
  const started = performance.now();
  let rows: number | undefined;
  let errorCode: string | undefined;
  try {
    rows = (await pool.query(text, values)).rowCount ?? undefined;
  } catch (error) {
    errorCode = (error as { code?: string }).code ?? 'Error';
  }
  const analysis = cache.analyze(text);
  if (analysis === undefined) throw new Error('parser not loaded');
  const event: QueryEvent = {
    analysis, text, values, rows, errorCode, contextKey, server,
    durationSeconds: (performance.now() - started) / 1000,
    traceId: undefined,
    endedAt: Date.now(),
  };
  recorder.onQuery(event);
}

async function explainConnections(): Promise<number> {
  const { rows } = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [EXPLAIN_APPLICATION_NAME]);
  return rows[0]!.n;
}

beforeAll(async () => {
  await loadSqlParser();
  admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await admin.query(`CREATE TABLE ${TABLE} (id int PRIMARY KEY, note text NOT NULL)`);
  await admin.query(`INSERT INTO ${TABLE} SELECT i, 'note-' || i FROM generate_series(1, ${ROWS}) AS i`);
  await admin.query(`ANALYZE ${TABLE}`);
  pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  metrics = new CacheMetricsReader();
  runner = createExplainRunner({
    intervalMs: config.explainIntervalMs,
    timeoutMs: TIMEOUT_MS,
    connectionConfigFor: defaultConnectionConfigFor({ DATABASE_URL }),
    now: () => clock,
  });
  logDir = mkdtempSync(path.join(tmpdir(), 'ql-slowlog-'));
  slowLog = createSlowQueryLog(path.join(logDir, 'slow.jsonl'));
  recorder = createQueryRecorder(config, metrics.meter, { planRequester: runner, slowQueryLog: slowLog });
});

afterAll(async () => {
  await runner?.close();
  await pool?.end();
  await metrics?.shutdown();
  await admin?.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await admin?.end();
  if (logDir) rmSync(logDir, { recursive: true, force: true });
});

describe('automatic EXPLAIN', () => {
  it('explains a slow sequential scan once per interval on its own connection and keeps the plan', async () => {
    await pool.query('SELECT 1');
    const appConnections = pool.totalCount;
    for (let i = 0; i < 3; i += 1) await runAsApp(SLOW_SCAN, [SECRET]);
    await recorder.settled();

    expect(recorder.explainOutcomes().ok).toBe(1);
    expect(await metrics.value(METRICS.explainRuns.name, { outcome: 'ok' })).toBe(1);
    const slow = recorder.findings().find((f) => f.rule === 'slow-query');
    expect(slow?.count).toBe(3);
    expect(slow?.plan?.summary).toContain(`Seq Scan on "${TABLE}"`);
    // Plan rules judged the scan with the table's size from pg_class.
    const planFinding = recorder.findings().find((f) => f.rule === 'plan-seq-scan-filter');
    expect(planFinding?.plan).toBeDefined();
    expect(planFinding?.severity).toBe('error');

    // The agent's own connection, not one of the app's.
    expect(await explainConnections()).toBe(1);
    expect(pool.totalCount).toBe(appConnections);

    clock += config.explainIntervalMs;
    await runAsApp(SLOW_SCAN, [SECRET]);
    await recorder.settled();
    expect(recorder.explainOutcomes().ok).toBe(2);
    expect(await explainConnections()).toBe(1);
  });

  it('gives up at statement_timeout when a lock blocks planning', async () => {
    const locker = new pg.Client({ connectionString: DATABASE_URL });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE ${TABLE} IN ACCESS EXCLUSIVE MODE`);
      const started = performance.now();
      const result = await runner.request({ fingerprint: 'locked-scan', text: SLOW_SCAN, values: [SECRET], readOnly: true, statementCount: 1, server });
      const elapsed = performance.now() - started;
      expect(result).toMatchObject({ outcome: 'timeout', reason: '57014' });
      expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS * 0.9);
      expect(elapsed).toBeLessThan(TIMEOUT_MS * 2);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
  });

  it('skips writes and stacked statements, and does not ask twice within the interval', async () => {
    const base = { values: undefined, server, statementCount: 1 } as const;
    expect(await runner.request({ ...base, fingerprint: 'w', text: `UPDATE ${TABLE} SET note = note WHERE id = 1`, readOnly: false })).toMatchObject({ outcome: 'skipped', reason: 'not-read-only' });
    expect(await runner.request({ ...base, fingerprint: 's', text: 'SELECT 1; SELECT 2', readOnly: true, statementCount: 2 })).toMatchObject({ outcome: 'skipped', reason: 'several-statements' });
    expect(runner.request({ ...base, fingerprint: 'w', text: 'UPDATE x SET a = 1', readOnly: false })).toBeUndefined();
  });

  it('marks its statements so the pg hook does not record them', () => {
    expect(isAgentQuery(agentQuery('EXPLAIN SELECT 1'))).toBe(true);
    expect(isAgentQuery({ text: 'SELECT 1' })).toBe(false);
    expect(isAgentQuery('SELECT 1')).toBe(false);
  });

  it('runs its session outside the caller\'s trace, with tracing suppressed', async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const seen: { suppressed: boolean; parent: boolean }[] = [];
    // The real client, observed: what context each of the runner's statements is sent in.
    class ObservedClient extends pg.Client {
      constructor(clientConfig: pg.ClientConfig) {
        super(clientConfig);
        const send = this.query.bind(this) as (queryConfig: unknown) => Promise<unknown>;
        (this as unknown as { query: typeof send }).query = (queryConfig) => {
          seen.push({ suppressed: isTracingSuppressed(context.active()), parent: trace.getSpan(context.active()) !== undefined });
          return send(queryConfig);
        };
      }
    }
    const observed = createExplainRunner({
      intervalMs: config.explainIntervalMs,
      timeoutMs: TIMEOUT_MS,
      connectionConfigFor: defaultConnectionConfigFor({ DATABASE_URL }),
      clientClass: ObservedClient as unknown as ExplainClientClass,
    });
    const appSpan = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
    try {
      const result = await context.with(trace.setSpan(context.active(), appSpan), () => observed.request({
        fingerprint: 'traced-scan', text: SLOW_SCAN, values: [SECRET], readOnly: true, statementCount: 1, server,
      }));
      expect(result).toMatchObject({ outcome: 'ok' });
      // SET statement_timeout, SET read-only, EXPLAIN and the plan context.
      expect(seen.length).toBeGreaterThanOrEqual(3);
      expect(seen.every((call) => call.suppressed && !call.parent)).toBe(true);
    } finally {
      await observed.close();
      context.disable();
    }
  });

  it('uses DATABASE_URL only for the server it names', () => {
    expect(urlTargetsServer(DATABASE_URL, server)).toBe(true);
    expect(urlTargetsServer(DATABASE_URL, { ...server, database: 'elsewhere' })).toBe(false);
    expect(defaultConnectionConfigFor({ DATABASE_URL })({ ...server, port: server.port + 1 })).toEqual({ host: server.address, port: server.port + 1, database: server.database });
  });
});

describe('literal values never leave the process', () => {
  it('keeps the bound secret out of the report, the slow-query log and every metric attribute', async () => {
    for (let i = 0; i < 25; i += 1) await runAsApp(`SELECT id FROM ${TABLE} WHERE note = '${SECRET}-${i}'`);
    await runAsApp(`SELECT id FROM ${TABLE} WHERE note LIKE $1`, [`%${SECRET}`]);
    await recorder.settled();
    await slowLog.close();

    const report = JSON.stringify(buildReport({
      serviceName: 'explain-runner-test', agentVersion: 'test', startedAt: Date.now() - 1000, now: Date.now(),
      config, recorder, parse: cache.counts(), slowQueryLog: slowLog,
    }));
    const log = readFileSync(path.join(logDir, 'slow.jsonl'), 'utf8');
    const { resourceMetrics } = await metrics.reader.collect();
    const attributes = JSON.stringify(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).flatMap((m) => m.dataPoints.map((p) => p.attributes)));

    // The statements did reach all three, so their absence of the secret means something.
    expect(report).toContain(TABLE);
    expect(report).toContain('literal-built-sql');
    expect(log.trim().split('\n').length).toBeGreaterThanOrEqual(4);
    expect(JSON.parse(log.split('\n')[0]!)).toMatchObject({ query: SLOW_SCAN, findings: expect.arrayContaining(['slow-query']) });
    expect(attributes).toContain('fingerprint');
    for (const output of [report, log, attributes]) expect(output).not.toContain(SECRET);
  });
});
