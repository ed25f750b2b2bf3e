/**
 * Scale-out: every process of a multi-process app serves its own metrics on
 * its own port (http/serverPort.ts), so Prometheus scrapes each one. A real
 * Node `cluster` app of two workers, and PM2-style processes (NODE_APP_INSTANCE,
 * the agent in NODE_OPTIONS).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { APPS, REGISTER_CJS, freeConsecutivePorts } from '../helpers/agentProcess';
import { ChildApp } from '../helpers/childApp';
import { waitFor } from '../helpers/waitFor';
import { find, parseSamples, type Sample } from '../helpers/promText';
import { METRICS } from '../../core/metrics/registry';

interface WorkerReady {
  readonly ready: boolean;
  readonly pid: number;
  readonly rank: number;
  readonly statements: number;
}

const APP = join(APPS, 'scaleout-worker.cjs');
const started: ChildApp[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((app) => app.stop()));
});

/** The agent's server listens asynchronously: a worker can report ready a moment before its port answers. */
async function scrape(port: number, app: ChildApp): Promise<Sample[]> {
  const response = await waitFor(`the agent on port ${port} (the app's stderr: ${JSON.stringify(app.stderr)})`, () => fetch(`http://127.0.0.1:${port}/metrics`), 5_000, 100);
  expect(response.status).toBe(200);
  return parseSamples(await response.text());
}

function servingPid(samples: Sample[]): number {
  return Number(find(samples, 'target_info')[0]?.labels.process_pid);
}

function pgStatements(samples: Sample[]): number {
  return find(samples, `${METRICS.dbOperationDuration.scraped}_count`, { db_system_name: 'postgresql' })
    .reduce((sum, sample) => sum + sample.value, 0);
}

function waitReady(app: ChildApp, count: number): Promise<WorkerReady[]> {
  const ready: WorkerReady[] = [];
  return app.waitForLine<WorkerReady>((line) => {
    if (line.ready && !ready.some((seen) => seen.pid === line.pid)) ready.push(line);
    return ready.length === count;
  }).then(() => ready);
}

describe('scale-out: one agent port per process', () => {
  it('a cluster of two workers: each worker on its own slot port, the primary on the base port', async () => {
    const base = await freeConsecutivePorts(3);
    const app = new ChildApp(APP, {
      env: {
        NODE_OPTIONS: `--require ${REGISTER_CJS}`,
        QL_CLUSTER_WORKERS: '2',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(base),
      },
    });
    started.push(app);
    const workers = await waitReady(app, 2);

    const byPort = await Promise.all([base + 1, base + 2].map(async (port) => ({ port, samples: await scrape(port, app) })));
    const pids = byPort.map(({ samples }) => servingPid(samples));
    expect(pids.sort()).toEqual(workers.map((worker) => worker.pid).sort());
    for (const { samples } of byPort) {
      const worker = workers.find((candidate) => candidate.pid === servingPid(samples));
      // Each port shows exactly its own worker's statements, not a mix.
      expect(pgStatements(samples)).toBe(worker?.statements);
    }
    // Repeated scrapes of one port always reach the same worker (no round robin through the primary).
    const again = await Promise.all([1, 2, 3, 4].map(() => scrape(base + 1, app)));
    expect(new Set(again.map(servingPid)).size).toBe(1);

    const primary = await scrape(base, app);
    expect(servingPid(primary)).toBe(app.process.pid);
    expect(pgStatements(primary)).toBe(0);
    expect(app.stderr).toBe('');
  });

  it('PM2-style processes (NODE_APP_INSTANCE) listen on base + instance', async () => {
    const base = await freeConsecutivePorts(2);
    const apps = [0, 1].map((instance) => new ChildApp(APP, {
      env: {
        NODE_OPTIONS: `--require ${REGISTER_CJS}`,
        NODE_APP_INSTANCE: String(instance),
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(base),
      },
    }));
    started.push(...apps);
    const ready = await Promise.all(apps.map((app) => waitReady(app, 1).then((lines) => lines[0])));
    for (const [instance, line] of ready.entries()) {
      const samples = await scrape(base + instance, apps[instance]!);
      expect(servingPid(samples)).toBe(line.pid);
      expect(pgStatements(samples)).toBe(line.statements);
    }
    for (const app of apps) expect(app.stderr).toBe('');
  });
});
