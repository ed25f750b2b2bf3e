/**
 * Other telemetry in the same process: an app that runs its own
 * OpenTelemetry NodeSDK (its providers, the upstream pg and ioredis
 * instrumentations, OTLP/HTTP exporters to a test receiver) exports the same
 * spans and metrics with querylens preloaded as without it, keeps its own
 * global providers, and querylens still serves its metrics on its port. And
 * another APM agent (Datadog's dd-trace, from the npm registry, with no
 * Datadog agent to send to) loaded before or after querylens.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { APPS, REGISTER_CJS, freePort, lastJsonLine, runNode } from '../helpers/agentProcess';
import { OtlpReceiver, type ExportedSpan } from '../helpers/otlpReceiver';
import { find, parseSamples } from '../helpers/promText';
import { METRICS } from '../../core/metrics/registry';

interface OwnSdkResult {
  globals: { tracerProvider: boolean; meterProvider: boolean };
  app: { rows: unknown; missing: string; value: string; contextFollowsTheAppsSpan: boolean };
  agent?: { servesPgDurations: boolean; servesRedisDurations: boolean; servesTheAppsMetrics: boolean };
}

interface AppRun {
  readonly result: OwnSdkResult;
  readonly spans: string[];
  readonly metricNames: string[];
}

/** A span as the app exported it, without ids and times: name, scope and attributes (the app's Redis key carries its pid). */
function spanKey(span: ExportedSpan): string {
  const attributes = Object.entries(span.attributes).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([span.scope, span.name, attributes]).replace(/ql:own-sdk:\d+/g, 'ql:own-sdk:<pid>');
}

async function runOwnSdkApp(nodeArgs: string[], env: Record<string, string> = {}): Promise<AppRun> {
  const receiver = new OtlpReceiver();
  await receiver.start();
  try {
    const run = await runNode(join(APPS, 'own-sdk-app.cjs'), { nodeArgs, env: { QL_OTLP_URL: `http://127.0.0.1:${receiver.port}`, ...env }, timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    return {
      result: lastJsonLine<OwnSdkResult>(run.stdout),
      spans: receiver.spans().map(spanKey).sort(),
      metricNames: [...new Set(receiver.dataPoints().map((point) => point.metric))].sort(),
    };
  } finally {
    await receiver.close();
  }
}

async function withAgent(env: Record<string, string> = {}): Promise<AppRun> {
  const port = await freePort();
  return runOwnSdkApp(['--require', REGISTER_CJS], {
    OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
    OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
    QL_SCRAPE_PORT: String(port),
    ...env,
  });
}

describe('an app with its own OpenTelemetry SDK', () => {
  let bare: AppRun;
  let agent: AppRun;
  beforeAll(async () => {
    [bare, agent] = await Promise.all([runOwnSdkApp([]), withAgent()]);
    // Otherwise "the same" would prove nothing.
    expect(bare.spans.some((span) => span.includes('"checkout"'))).toBe(true);
    expect(bare.spans.some((span) => span.includes('"@opentelemetry/instrumentation-pg"'))).toBe(true);
    expect(bare.spans.some((span) => span.includes('"@opentelemetry/instrumentation-ioredis"'))).toBe(true);
    expect(bare.metricNames).toContain('app.orders');
  }, 90_000);

  it('keeps the global tracer and meter providers its SDK registered', () => {
    expect(bare.result.globals).toEqual({ tracerProvider: true, meterProvider: true });
    expect(agent.result.globals).toEqual({ tracerProvider: true, meterProvider: true });
  });

  it('exports the same metrics and sees the same results, and querylens serves its own metrics (not the app\'s)', () => {
    expect(agent.metricNames).toEqual(bare.metricNames);
    expect(agent.result.app).toEqual(bare.result.app);
    expect(agent.result.agent).toEqual({ servesPgDurations: true, servesRedisDurations: true, servesTheAppsMetrics: false });
  });

  it('exports the same spans', () => {
    expect(agent.spans).toEqual(bare.spans);
  });

  it('keeps its globals and spans when querylens exports spans too (OTEL_TRACES_EXPORTER=console)', async () => {
    const [bare, agent] = await Promise.all([runOwnSdkApp([]), withAgent({ OTEL_TRACES_EXPORTER: 'console' })]);
    expect(agent.result.globals).toEqual({ tracerProvider: true, meterProvider: true });
    expect(agent.spans).toEqual(bare.spans);
    expect(agent.metricNames).toEqual(bare.metricNames);
    expect(agent.result.app).toEqual(bare.result.app);
  }, 90_000);
});

interface WorkloadOutput {
  metrics?: string;
  [observed: string]: unknown;
}

/** dd-trace with nothing to send to: no Datadog agent runs here, so its exports go to a closed port. */
const DD_ENV = {
  DD_TRACE_AGENT_URL: 'http://127.0.0.1:9',
  DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
  DD_REMOTE_CONFIGURATION_ENABLED: 'false',
  DD_RUNTIME_METRICS_ENABLED: 'false',
};
const DD_INIT = require.resolve('dd-trace/init');

describe.each([
  ['dd-trace first, querylens second', ['--require', DD_INIT, '--require', REGISTER_CJS]],
  ['querylens first, dd-trace second', ['--require', REGISTER_CJS, '--require', DD_INIT]],
])('another APM agent in the process (%s)', (_order, nodeArgs) => {
  it('leaves the app its pg and Redis results, and querylens serves its metrics', async () => {
    const app = join(APPS, 'workload-cjs.cjs');
    const port = await freePort();
    // Compared with dd-trace alone: dd-trace by itself already changes what a dropped, failing
    // Redis command does (no unhandledRejection), which is not querylens' doing.
    const [ddOnly, both] = await Promise.all([
      runNode(app, { nodeArgs: ['--require', DD_INIT], env: DD_ENV }),
      runNode(app, { nodeArgs, env: { ...DD_ENV, OTEL_EXPORTER_PROMETHEUS_PORT: String(port), OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', QL_SCRAPE_PORT: String(port) }, timeoutMs: 60_000 }),
    ]);
    expect(ddOnly.code, ddOnly.stderr).toBe(0);
    expect(both.code, both.stderr).toBe(0);
    const { metrics, ...observed } = lastJsonLine<WorkloadOutput>(both.stdout);
    expect(observed).toEqual(lastJsonLine<WorkloadOutput>(ddOnly.stdout));
    const samples = parseSamples(metrics ?? '');
    const duration = `${METRICS.dbOperationDuration.scraped}_count`;
    expect(find(samples, duration, { db_system_name: 'postgresql', error_type: '42P01' }).reduce((sum, sample) => sum + sample.value, 0)).toBe(1);
    expect(find(samples, duration, { db_system_name: 'redis', db_operation_name: 'GET' }).reduce((sum, sample) => sum + sample.value, 0)).toBe(1);
  }, 90_000);
});
