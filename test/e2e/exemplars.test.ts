/**
 * Exemplars end to end: an app traced by querylens (spans pushed over OTLP to
 * a receiver in the test, which decodes them) is scraped by a real Prometheus
 * with exemplar storage on. Prometheus negotiates OpenMetrics, stores the
 * exemplars of db_client_operation_duration's buckets, and
 * /api/v1/query_exemplars returns them: each points at a trace the app made
 * and querylens exported, and lies within its bucket.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { METRICS } from '../../core/metrics/registry';
import { APPS, freePort, REGISTER_CJS, ROOT } from '../helpers/agentProcess';
import { startDaemon, type Daemon } from '../helpers/daemon';
import { OtlpReceiver } from '../helpers/otlpReceiver';
import { TOOLS, toolPath } from '../helpers/prometheusTools';
import { waitFor } from '../helpers/waitFor';

const STARTUP_MS = 45_000;
const BUCKET = `${METRICS.dbOperationDuration.scraped}_bucket`;

interface ExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}

interface Stack {
  readonly dir: string;
  readonly receiver: OtlpReceiver;
  readonly app: Daemon;
  readonly prometheus: Daemon;
  readonly prometheusUrl: string;
  readonly appUrl: string;
}

let stack: Stack | undefined;
const daemons: Daemon[] = [];

function running(): Stack {
  if (!stack) throw new Error('the stack did not start');
  return stack;
}

async function exemplarsOf(selector: string): Promise<ExemplarSeries[]> {
  const { prometheusUrl } = running();
  const end = Date.now() / 1000;
  const params = new URLSearchParams({ query: selector, start: String(end - 600), end: String(end) });
  const answer = (await (await fetch(`${prometheusUrl}/api/v1/query_exemplars?${params}`)).json()) as { status: string; data?: ExemplarSeries[] };
  expect(answer.status).toBe('success');
  return answer.data ?? [];
}

/** The app's rounds so far: each printed its trace id. */
function appTraceIds(): Set<string> {
  const ids = running().app.output().split('\n').filter((line) => line.startsWith('{"event":"round"'))
    .map((line) => (JSON.parse(line) as { traceId: string }).traceId);
  return new Set(ids);
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'querylens-exemplars-'));
  const receiver = new OtlpReceiver();
  await receiver.start();
  const [appPort, prometheusPort] = [await freePort(), await freePort()];
  writeFileSync(join(dir, 'prometheus.yml'), stringify({
    global: { scrape_interval: '1s' },
    scrape_configs: [{ job_name: 'exemplars', static_configs: [{ targets: [`127.0.0.1:${appPort}`] }] }],
  }));
  const app = startDaemon('exemplar app', process.execPath, ['--require', REGISTER_CJS, join(APPS, 'exemplar-app.cjs')], {
    cwd: ROOT,
    env: {
      ...process.env, OTEL_SERVICE_NAME: 'querylens-exemplars-e2e', OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.port}`, OTEL_BSP_SCHEDULE_DELAY: '500',
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(appPort),
    },
  });
  daemons.push(app);
  const prometheus = startDaemon('prometheus', toolPath(TOOLS.prometheus), [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'prom-data')}`,
    `--web.listen-address=127.0.0.1:${prometheusPort}`, '--enable-feature=exemplar-storage',
  ]);
  daemons.push(prometheus);
  stack = { dir, receiver, app, prometheus, prometheusUrl: `http://127.0.0.1:${prometheusPort}`, appUrl: `http://127.0.0.1:${appPort}/metrics` };
  await waitFor('exemplars of the slow statement in Prometheus', async () => {
    const series = await exemplarsOf(`${BUCKET}{db_system_name="postgresql",le="0.5"}`);
    return series.some((s) => s.exemplars.length > 0) ? true : undefined;
  }, STARTUP_MS, 500).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${daemons.map((d) => `--- ${d.name}\n${d.output().slice(-3000)}`).join('\n')}`);
  });
}, 90_000);

afterAll(async () => {
  if (stack) stack.app.send('exit');
  for (const daemon of daemons.reverse()) await daemon.stop();
  if (stack) {
    await stack.receiver.close();
    rmSync(stack.dir, { recursive: true, force: true });
  }
}, 30_000);

describe('exemplars in a real Prometheus (--enable-feature=exemplar-storage)', () => {
  it('stores, for the bucket of the 0.2 s statement, exemplars of traces the app made and querylens exported', async () => {
    const series = await exemplarsOf(`${BUCKET}{db_system_name="postgresql",le="0.5"}`);
    const exemplars = series.flatMap((s) => s.exemplars);
    expect(exemplars.length).toBeGreaterThan(0);
    const traces = appTraceIds();
    for (const exemplar of exemplars) {
      expect(exemplar.labels.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(exemplar.labels.span_id).toMatch(/^[0-9a-f]{16}$/);
      // (0.1, 0.5]: the bucket's range, and pg_sleep(0.2) makes it at least 0.2 s.
      expect(Number(exemplar.value)).toBeGreaterThanOrEqual(0.2);
      expect(Number(exemplar.value)).toBeLessThanOrEqual(0.5);
      expect(traces.has(exemplar.labels.trace_id!), `trace ${exemplar.labels.trace_id} is one of the app's`).toBe(true);
    }
    // Spans are exported in batches: the earliest exemplars' traces have arrived by now.
    await waitFor('the exemplars\' traces at the receiver', () => {
      const received = new Set(running().receiver.spans().map((span) => span.traceId));
      return exemplars.every((exemplar) => received.has(exemplar.labels.trace_id!)) ? true : undefined;
    }, 15_000);
  });

  it('gives each Redis bucket the Redis span itself: its span id is an exported ioredis span', async () => {
    const exemplars = (await exemplarsOf(`${BUCKET}{db_system_name="redis"}`)).flatMap((s) => s.exemplars);
    expect(exemplars.length).toBeGreaterThan(0);
    await waitFor('the Redis spans at the receiver', () => {
      const redisSpans = new Set(running().receiver.spans().filter((span) => span.attributes['db.system.name'] === 'redis').map((span) => span.spanId));
      return exemplars.every((exemplar) => redisSpans.has(exemplar.labels.span_id!)) ? true : undefined;
    }, 15_000);
  });

  it('puts no exemplar in a bucket whose range does not hold it', async () => {
    for (const series of await exemplarsOf(BUCKET)) {
      const le = series.seriesLabels.le === '+Inf' ? Infinity : Number(series.seriesLabels.le);
      for (const exemplar of series.exemplars) expect(Number(exemplar.value)).toBeLessThanOrEqual(le);
    }
  });

  it('scrapes every other series as before: up, and the histogram counts', async () => {
    const { prometheusUrl } = running();
    const query = async (expr: string) => ((await (await fetch(`${prometheusUrl}/api/v1/query?${new URLSearchParams({ query: expr })}`)).json()) as { data: { result: { value: [number, string] }[] } }).data.result;
    expect((await query('up{job="exemplars"}'))[0]?.value[1]).toBe('1');
    expect(Number((await query(`sum(${METRICS.dbOperationDuration.scraped}_count{db_system_name="postgresql"})`))[0]?.value[1])).toBeGreaterThan(0);
    expect((await query('target_info{job="exemplars"}')).length).toBe(1);
  });

  it('serves the classic text format, without exemplars, to a scraper that does not ask for OpenMetrics', async () => {
    const response = await fetch(running().appUrl);
    expect(response.headers.get('content-type')).toBe('text/plain');
    const body = await response.text();
    expect(body).toContain(`${BUCKET}{`);
    expect(body).not.toContain('trace_id');
    expect(body).not.toContain('# EOF');
  });
});
