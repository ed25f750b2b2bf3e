/**
 * `npm run demo` where no PostgreSQL and no Redis answer (their URLs point at
 * a closed port; the shared servers are left alone): the launcher says so,
 * starts an embedded PostgreSQL (PGlite), runs the cache in memory only, and
 * the demo's pg traffic shows up on /metrics. Ctrl-C (SIGINT) stops it all
 * with exit code 0.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, freePort } from '../helpers/agentProcess';
import { waitFor } from '../helpers/waitFor';

const CLOSED = 'postgres://postgres@127.0.0.1:1/test';
const CLOSED_REDIS = 'redis://127.0.0.1:1';

describe('the demo without PostgreSQL and Redis', () => {
  let stdout = '';
  let stderr = '';
  let launcher: ReturnType<typeof spawn> | undefined;

  afterAll(() => {
    if (launcher && launcher.exitCode === null) launcher.kill('SIGKILL');
  });

  it('runs on an embedded PostgreSQL, serves pg metrics, and stops on SIGINT', async () => {
    const [demoPort, agentPort] = [await freePort(), await freePort()];
    launcher = spawn(process.execPath, [join(ROOT, 'examples', 'demo', 'run.cjs')], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: CLOSED,
        REDIS_URL: CLOSED_REDIS,
        DEMO_PORT: String(demoPort),
        DEMO_ORDERS: '5000',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(agentPort),
        OTEL_SERVICE_NAME: 'querylens-demo-test',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    launcher.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    launcher.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const exited = new Promise<number | null>((resolve) => launcher?.on('close', (code) => resolve(code)));

    await waitFor('the demo to print its URLs', () => (stdout.includes('/querylens\n') ? true : undefined), 40_000, 200)
      .catch((error: Error) => { throw new Error(`${error.message}\nstdout: ${stdout}\nstderr: ${stderr}`); });
    expect(stdout).toContain(`none answers at ${CLOSED} (ECONNREFUSED); starting an embedded PostgreSQL (PGlite)`);
    expect(stdout).toMatch(/PostgreSQL\s+embedded \(PGlite, in memory\) at postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres/);
    expect(stdout).toContain(`none answers at ${CLOSED_REDIS} (ECONNREFUSED); the cache runs in memory only`);
    expect(stdout).toContain(`status page              http://localhost:${agentPort}/querylens`);

    // The traffic generator's statements, measured by the agent against the embedded server.
    const pgSeries = await waitFor('pg operations on /metrics', async () => {
      const text = await (await fetch(`http://127.0.0.1:${agentPort}/metrics`)).text();
      const counts = text.split('\n').filter((line) => line.startsWith('db_client_operation_duration_count{')
        && line.includes('db_system_name="postgresql"') && line.includes('db_operation_name="SELECT"'));
      const total = counts.reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
      return total >= 10 ? counts : undefined;
    }, 20_000, 300);
    expect(pgSeries.some((line) => line.includes('db_collection_name="ql_demo_orders"'))).toBe(true);
    const report = (await (await fetch(`http://127.0.0.1:${agentPort}/querylens/api/report`)).json()) as { findings: { rule: string }[] };
    expect(report.findings.map((finding) => finding.rule)).toContain('select-star');

    launcher.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 15_000))]);
    expect(code).toBe(0);
    expect(stdout).toContain('demo stopped');
    expect(stderr).toBe('');
  }, 75_000);
});
