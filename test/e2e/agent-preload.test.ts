/**
 * The agent's spine, end to end: fixture apps run as child processes with the
 * agent preloaded, against the real PostgreSQL and Redis; assertions read the
 * agent's own /metrics scrape.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, REGISTER_CJS, REGISTER_ESM, freePort, lastJsonLine, runNode } from '../helpers/agentProcess';
import { find, parseSamples, type Sample } from '../helpers/promText';
import { DURATION_BUCKETS_SECONDS, METRICS, REDIS_DURATION_BUCKETS_SECONDS, labelName, ATTR } from '../../core/metrics/registry';

interface WorkloadResult {
  contention: number[];
  missingTable: { error?: { code?: string; message: string; name: string } };
  timeout: { error?: { message: string } };
  callback: unknown;
  checkedOut: unknown;
  fields: string;
  poolCounts: number[];
  instanceOf: boolean;
  redisGet: string;
  redisError: { error?: { name: string; message: string } };
  ignoredRedisFailure: string[];
  metrics?: string;
}

const POOL = labelName(ATTR.poolName);

async function runWorkload(entry: string, nodeArgs: string[]): Promise<{ result: WorkloadResult; samples: Sample[]; stderr: string }> {
  const port = await freePort();
  const run = await runNode(join(APPS, entry), {
    nodeArgs,
    env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(port), OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', QL_SCRAPE_PORT: String(port) },
  });
  expect(run.code, run.stderr).toBe(0);
  const result = lastJsonLine<WorkloadResult>(run.stdout);
  return { result, samples: parseSamples(result.metrics ?? ''), stderr: run.stderr };
}

function count(samples: Sample[], name: string, labels: Record<string, string>): number {
  return find(samples, name, labels).reduce((sum, sample) => sum + sample.value, 0);
}

describe.each([
  ['CommonJS', 'workload-cjs.cjs', ['--require', REGISTER_CJS]],
  ['ESM', 'workload-esm.mjs', ['--import', REGISTER_ESM]],
  // The common way to add an agent to a container: one --require for every kind of app.
  ['ESM, preloaded with --require', 'workload-esm.mjs', ['--require', REGISTER_CJS]],
])('%s app with the agent preloaded', (_kind, entry, nodeArgs) => {
  it('serves correct pg, pool and Redis metrics', async () => {
    const { result, samples, stderr } = await runWorkload(entry, nodeArgs);
    expect(stderr).toBe('');
    const duration = `${METRICS.dbOperationDuration.scraped}_count`;

    // pg statements, labelled and with SQLSTATE for the missing table.
    expect(count(samples, duration, { db_system_name: 'postgresql', error_type: '42P01', db_collection_name: 'ql_e2e_missing_table' })).toBe(1);
    expect(count(samples, duration, { db_system_name: 'postgresql', db_operation_name: 'SELECT', db_namespace: 'test' })).toBeGreaterThanOrEqual(8);

    // Pools: four pools, four names; the connection-string and field pools share a target.
    const maxSeries = find(samples, METRICS.dbConnectionMax.scraped);
    expect(maxSeries.map((s) => s.labels[POOL]).sort()).toEqual(['127.0.0.1:5432/test', '127.0.0.1:5432/test#2', 'reporting', 'strict']);
    expect(find(samples, METRICS.dbConnectionMax.scraped, { [POOL]: '127.0.0.1:5432/test' })[0].value).toBe(1);
    // Exactly once each: no duplicate series from the upstream instrumentation.
    const keys = samples.filter((s) => s.name.startsWith('db_client_connection')).map((s) => `${s.name}${JSON.stringify(s.labels)}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(samples.some((s) => s.labels.otel_scope_name === '@opentelemetry/instrumentation-pg')).toBe(false);

    // Contention on the pool of one: every checkout waited and was observed.
    const single = { [POOL]: '127.0.0.1:5432/test' };
    expect(count(samples, `${METRICS.dbConnectionWaitTime.scraped}_count`, single)).toBe(5);
    // Four queries of 20 ms on one connection: the later ones waited for the earlier.
    expect(count(samples, `${METRICS.dbConnectionWaitTime.scraped}_sum`, single)).toBeGreaterThan(0.04);
    expect(count(samples, `${METRICS.dbConnectionCreateTime.scraped}_count`, single)).toBe(1);
    expect(count(samples, `${METRICS.dbConnectionUseTime.scraped}_count`, single)).toBe(5);
    // Use runs from the checkout's callback to the release: at least the four 20 ms sleeps.
    expect(count(samples, `${METRICS.dbConnectionUseTime.scraped}_sum`, single)).toBeGreaterThan(0.075);
    // The checkout that found the strict pool's only connection held timed out, and was counted.
    expect(count(samples, METRICS.dbConnectionTimeouts.scraped, { [POOL]: 'strict' })).toBe(1);
    expect(count(samples, METRICS.dbConnectionTimeouts.scraped, single)).toBe(0);
    expect(find(samples, METRICS.dbConnectionCount.scraped, { ...single, db_client_connection_state: 'idle' })).toHaveLength(1);

    // Redis: success and the failing INCR.
    expect(count(samples, duration, { db_system_name: 'redis', db_operation_name: 'GET' })).toBe(1);
    expect(count(samples, duration, { db_system_name: 'redis', db_operation_name: 'INCR', error_type: 'ERR' })).toBe(1);
    // Redis series resolve below a millisecond; PostgreSQL's keep the semantic-convention buckets.
    const bounds = (system: string) => new Set(find(samples, `${METRICS.dbOperationDuration.scraped}_bucket`, { db_system_name: system }).map((s) => s.labels.le));
    expect([...bounds('redis')]).toEqual([...REDIS_DURATION_BUCKETS_SECONDS.map(String), '+Inf']);
    expect([...bounds('postgresql')]).toEqual([...DURATION_BUCKETS_SECONDS.map(String), '+Inf']);

    // What the app saw is what pg and ioredis give (checked against a bare run below).
    expect(result.missingTable.error?.code).toBe('42P01');
    expect(result.timeout.error?.message).toBe('timeout exceeded when trying to connect');
    expect(result.instanceOf).toBe(true);
  });
});

describe('transparency', () => {
  it('gives the app the same results and errors with and without the agent', async () => {
    const app = join(APPS, 'workload-cjs.cjs');
    const [bare, agent] = await Promise.all([
      runNode(app),
      freePort().then((port) => runNode(app, { nodeArgs: ['--require', REGISTER_CJS], env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(port) } })),
    ]);
    expect(bare.code).toBe(0);
    expect(agent.code).toBe(0);
    // The dropped promise of a failing command is an unhandled rejection in the bare app.
    expect(lastJsonLine<WorkloadResult>(bare.stdout).ignoredRedisFailure).toHaveLength(1);
    expect(lastJsonLine(agent.stdout)).toEqual(lastJsonLine(bare.stdout));
  });
});

describe('configuration and lifecycle', () => {
  it('warns once per bad variable, naming value, accepted values and default', async () => {
    const port = await freePort();
    const run = await runNode(join(APPS, 'exits-by-itself.cjs'), {
      nodeArgs: ['--require', REGISTER_CJS],
      env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(port), QUERYLENS_SLOW_QUERY_MS: 'fast', OTEL_TRACES_EXPORTER: 'jaeger' },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('done\n');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines).toContain('querylens: QUERYLENS_SLOW_QUERY_MS="fast" is not valid (accepted: an integer from 1 to 3600000); using the default 500');
    expect(lines).toContain('querylens: OTEL_TRACES_EXPORTER="jaeger" is not valid (accepted: none, otlp, console); using the default "none"');
  });

  it('OTEL_SDK_DISABLED=true patches nothing and serves nothing', async () => {
    const port = await freePort();
    const probe = join(mkdtempSync(join(tmpdir(), 'ql-disabled-')), 'probe.cjs');
    writeFileSync(probe, `
      const pg = require(${JSON.stringify(require.resolve('pg'))});
      const served = fetch('http://127.0.0.1:${port}/metrics').then(() => true, () => false);
      served.then((s) => console.log(JSON.stringify({ served: s, wrapped: '__wrapped' in pg.Client.prototype.query, poolName: pg.Pool.name })));
    `);
    const run = await runNode(probe, { nodeArgs: ['--require', REGISTER_CJS], env: { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_PROMETHEUS_PORT: String(port) } });
    expect(run.code).toBe(0);
    expect(lastJsonLine(run.stdout)).toEqual({ served: false, wrapped: false, poolName: 'BoundPool' });
  });

  it('a port in use gives one warning naming the port, and the app runs on', async () => {
    // The app lives until the agent has tried its port: the agent starts its server after the app's own start.
    const blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => {
      const address = blocker.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    }));
    try {
      const run = await runNode(join(APPS, 'waits-for-agent.cjs'), {
        nodeArgs: ['--require', REGISTER_CJS],
        env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(port), OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1' },
      });
      expect(run.code).toBe(0);
      expect(run.stdout).toBe('done\n');
      expect(run.stderr.trim().split('\n')).toEqual([expect.stringContaining(`port ${port} on 127.0.0.1 is already in use`)]);
    } finally {
      blocker.close();
    }
  });

  it('a short script exits by itself, the same way as without the agent', async () => {
    const app = join(APPS, 'exits-by-itself.cjs');
    const port = await freePort();
    // Killed at 20 s: anything of the agent's holding the event loop (server,
    // keep-alive socket, interval) would show as a signal instead of an exit.
    const [bare, agent] = await Promise.all([
      runNode(app),
      runNode(app, { nodeArgs: ['--require', REGISTER_CJS], env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(port) } }),
    ]);
    expect(bare).toMatchObject({ code: 0, signal: null, stdout: 'done\n' });
    expect(agent).toMatchObject({ code: 0, signal: null, stdout: 'done\n', stderr: '' });
  });

  it.each([
    ['loading the agent twice instruments once', 'workload-cjs.cjs'],
    ['loading the agent twice into an ESM app installs one loader hook and instruments once', 'workload-esm.mjs'],
  ])('%s', async (_name, app) => {
    const port = await freePort();
    const run = await runNode(join(APPS, app), {
      nodeArgs: ['--require', REGISTER_CJS, '--import', REGISTER_ESM],
      env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(port), QL_SCRAPE_PORT: String(port) },
    });
    expect(run.code, run.stderr).toBe(0);
    // A second import-in-the-middle hook, or a second agent, says so on stderr.
    expect(run.stderr).toBe('');
    const samples = parseSamples(lastJsonLine<WorkloadResult>(run.stdout).metrics ?? '');
    expect(count(samples, `${METRICS.dbOperationDuration.scraped}_count`, { error_type: '42P01' })).toBe(1);
  });

  it('a worker thread with the agent loaded starts no server', async () => {
    const port = await freePort();
    const run = await runNode(join(APPS, 'worker-thread.cjs'), {
      env: { NODE_OPTIONS: `--require ${REGISTER_CJS}`, OTEL_EXPORTER_PROMETHEUS_PORT: String(port) },
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(lastJsonLine(run.stdout)).toEqual({ worker: true, agentActive: false });
  });

  it('keeps the command line, which can carry secrets, out of target_info', async () => {
    const port = await freePort();
    const secret = `--token=ql-argv-secret-${process.pid}`;
    const run = await runNode(join(APPS, 'workload-cjs.cjs'), {
      nodeArgs: ['--require', REGISTER_CJS],
      args: [secret],
      env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(port), QL_SCRAPE_PORT: String(port) },
    });
    expect(run.code, run.stderr).toBe(0);
    const metrics = lastJsonLine<WorkloadResult>(run.stdout).metrics ?? '';
    expect(find(parseSamples(metrics), 'target_info')[0]?.labels).toMatchObject({ service_name: 'querylens-test', process_runtime_name: 'nodejs' });
    expect(metrics).not.toContain('ql-argv-secret');
  });

  it('passes promtool check metrics on a scrape', async () => {
    const { result } = await runWorkload('workload-cjs.cjs', ['--require', REGISTER_CJS]);
    let problems: string;
    try {
      problems = execFileSync('promtool', ['check', 'metrics'], { input: result.metrics, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (error) {
      const failure = error as { stdout?: string; stderr?: string; message: string; code?: string };
      if (failure.code === 'ENOENT') throw new Error('promtool not found: run .ci/run or apt-get install prometheus');
      problems = `${failure.stdout ?? ''}${failure.stderr ?? ''}`;
    }
    // The one accepted lint: the semantic conventions name this gauge
    // db.client.connection.count, which promtool's suffix heuristic dislikes.
    expect(problems.trim().split('\n').filter(Boolean)).toEqual([
      `${METRICS.dbConnectionCount.scraped} non-histogram and non-summary metrics should not have "_count" suffix`,
    ]);
  });
});
