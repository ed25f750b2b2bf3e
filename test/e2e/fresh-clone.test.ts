/**
 * The README's first command as a newcomer meets it: a fresh clone of the
 * committed tree, no node_modules, no dist/, and only the machine's own
 * directories on PATH (the system Node.js, 20 here). `npm run demo` must set
 * itself up (Node.js 22+, dependencies, build) and serve live metrics.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, freePort } from '../helpers/agentProcess';
import { ChildApp } from '../helpers/childApp';
import { find, parseSamples } from '../helpers/promText';
import { waitFor } from '../helpers/waitFor';
import { METRICS } from '../../core/metrics/registry';

const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin';
const SETUP_TIMEOUT_MS = 240_000;

describe('a fresh clone with only the system Node.js on PATH', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'ql-fresh-'));
  const clone = join(workDir, 'querylens');
  let demo: ChildApp | undefined;

  afterAll(async () => {
    await demo?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('npm run demo installs what it needs, builds, and serves live metrics', async () => {
    execFileSync('git', ['clone', '--quiet', ROOT, clone]);
    expect(existsSync(join(clone, 'node_modules'))).toBe(false);
    const [demoPort, agentPort] = [await freePort(), await freePort()];
    demo = new ChildApp('demo', {
      program: 'npm',
      nodeArgs: ['run'],
      cwd: clone,
      env: {
        PATH: SYSTEM_PATH,
        DEMO_PORT: String(demoPort),
        DEMO_ORDERS: '5000',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(agentPort),
      },
    });
    const started = demo;
    await waitFor('the demo to print its URLs', () => (started.stdout.includes(`http://localhost:${agentPort}/querylens\n`) ? true : undefined), SETUP_TIMEOUT_MS, 500)
      .catch((error: Error) => { throw new Error(`${error.message}\nstdout: ${started.stdout}\nstderr: ${started.stderr}`); });
    const samples = await waitFor('pg statements on /metrics', async () => {
      const scraped = parseSamples(await (await fetch(`http://127.0.0.1:${agentPort}/metrics`)).text());
      return find(scraped, `${METRICS.dbOperationDuration.scraped}_count`, { db_system_name: 'postgresql' }).length > 0 ? scraped : undefined;
    }, 30_000, 500);
    expect(find(samples, METRICS.agentInfo.scraped)).toHaveLength(1);
    expect((await fetch(`http://127.0.0.1:${demoPort}/recent-orders`)).status).toBe(200);
    expect(existsSync(join(clone, 'dist', 'agent', 'register.js'))).toBe(true);
  }, SETUP_TIMEOUT_MS + 60_000);
});
