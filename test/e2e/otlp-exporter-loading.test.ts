/**
 * Start-up cost: the OTLP exporter packages (and gRPC, protobufjs) are
 * required only for the protocol a pushed signal uses, and not at all when
 * nothing is pushed. Nothing is sent anywhere here: the endpoints are closed ports.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, REGISTER_CJS, freePort, lastJsonLine, runNode } from '../helpers/agentProcess';

async function loadedWith(env: Record<string, string>): Promise<string[]> {
  const closed = await freePort();
  const run = await runNode(join(APPS, 'loaded-exporters.cjs'), {
    nodeArgs: ['--require', REGISTER_CJS],
    env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()), OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closed}`, ...env },
    timeoutMs: 30_000,
  });
  expect(run.code, run.stderr).toBe(0);
  return lastJsonLine<string[]>(run.stdout);
}

describe('OTLP exporters are loaded only for the protocol chosen', () => {
  it.each([
    [{}, ['@opentelemetry/exporter-prometheus']],
    [{ OTEL_METRICS_EXPORTER: 'otlp' }, ['@opentelemetry/exporter-metrics-otlp-http', '@opentelemetry/exporter-metrics-otlp-proto']],
    [{ OTEL_METRICS_EXPORTER: 'none', OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, ['@opentelemetry/exporter-trace-otlp-http']],
    [{ OTEL_METRICS_EXPORTER: 'none', OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, ['@grpc/grpc-js', '@opentelemetry/exporter-trace-otlp-grpc']],
  ])('%j loads %j', async (env, expected) => {
    // The Prometheus exporter is loaded with the SDK whatever the exporters: it is the default reader.
    const loaded = (await loadedWith(env)).filter((name) => name !== '@opentelemetry/exporter-prometheus' || Object.keys(env).length === 0);
    expect(loaded).toEqual(expected);
  }, 60_000);
});
