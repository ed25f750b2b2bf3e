/**
 * OTLP push to Collector-like receivers that decode each protocol
 * (http/protobuf, the default; http/json; grpc); and secrets planted by the
 * app (a bound parameter, an inline literal, both echoed back by PostgreSQL
 * error messages, a Redis value) appear nowhere the agent sends or shows
 * things: OTLP metrics and spans, /metrics, /healthz, the report and page,
 * stdout and stderr with the slow-query log on.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { APPS, REGISTER_CJS, freePort, lastJsonLine, runNode, type RunResult } from '../helpers/agentProcess';
import { OtlpReceiver, dataPointsOf, type DataPoint, type OtlpMessages } from '../helpers/otlpReceiver';
import { OtlpGrpcReceiver } from '../helpers/otlpGrpcReceiver';
import { METRICS } from '../../core/metrics/registry';

interface SecretsResult {
  boundReceived: boolean;
  inlineReceived: boolean;
  errorEchoesSecret: boolean;
  inlineErrorEchoesSecret: boolean;
  redisReceived: boolean;
  routes?: Record<string, { status: number; body: string }>;
}

const APP = join(APPS, 'secrets-app.cjs');
const secretBound = `s3cr3t-bound-${randomBytes(6).toString('hex')}`;
const secretInline = `s3cr3t-inline-${randomBytes(6).toString('hex')}`;
const SECRET_ENV = { QL_SECRET_BOUND: secretBound, QL_SECRET_INLINE: secretInline };

function expectNoSecret(haystack: string, where: string): void {
  expect(haystack.includes(secretBound), `${where} holds the bound secret`).toBe(false);
  expect(haystack.includes(secretInline), `${where} holds the inline secret`).toBe(false);
  // The random part alone, in case a secret is shown cut or re-quoted.
  expect(haystack.includes(secretBound.slice(-12)), `${where} holds part of the bound secret`).toBe(false);
  expect(haystack.includes(secretInline.slice(-12)), `${where} holds part of the inline secret`).toBe(false);
}

function expectSecretsReachedTheDatabase(result: SecretsResult): void {
  // Otherwise "not leaked" would prove nothing.
  expect(result).toMatchObject({ boundReceived: true, inlineReceived: true, errorEchoesSecret: true, inlineErrorEchoesSecret: true, redisReceived: true });
}

type Protocol = 'http/protobuf' | 'http/json' | 'grpc';

interface Receiver extends OtlpMessages {
  readonly port: number;
  start(): Promise<void>;
  close(): Promise<void>;
  /** Every byte received, as text: the haystack for leak searches. */
  allBodies(): string;
}

class GrpcReceiver extends OtlpGrpcReceiver implements Receiver {
  allBodies(): string {
    return this.bodies.map((body) => body.toString('latin1')).join('\n');
  }
}

interface OtlpRun {
  readonly receiver: Receiver;
  readonly run: RunResult;
}

interface PushOptions {
  readonly tracesExporter: 'none' | 'otlp';
  /** Undefined: no OTEL_EXPORTER_OTLP_PROTOCOL, the default (http/protobuf) users get. */
  readonly protocol?: Protocol;
  readonly env?: Record<string, string>;
}

async function runPushingTo({ tracesExporter, protocol, env = {} }: PushOptions): Promise<OtlpRun> {
  const receiver: Receiver = protocol === 'grpc' ? new GrpcReceiver() : new OtlpReceiver();
  await receiver.start();
  const agentPort = await freePort();
  const run = await runNode(APP, {
    nodeArgs: ['--require', REGISTER_CJS],
    env: {
      ...SECRET_ENV,
      ...(protocol ? { OTEL_EXPORTER_OTLP_PROTOCOL: protocol } : {}),
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_TRACES_EXPORTER: tracesExporter,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.port}`,
      // Longer than the app runs: what arrives came from the flush before exit.
      OTEL_METRIC_EXPORT_INTERVAL: '60000',
      QUERYLENS_SLOW_QUERY_LOG: 'stderr',
      QUERYLENS_SLOW_QUERY_MS: '1',
      // Every text analysed, even on a cold, busy machine: the span texts asserted below are the analysed ones.
      QUERYLENS_ANALYSIS_BUDGET_MS: '1000',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(agentPort),
      // The app starts once the parser is ready: the span names and texts asserted below are the analysed ones.
      QL_AGENT_PORT: String(agentPort),
      ...env,
    },
    timeoutMs: 60_000,
  });
  await receiver.close();
  return { receiver, run };
}

function durationPoints(receiver: OtlpMessages, system: string): DataPoint[] {
  return receiver.dataPoints().filter((point) => point.metric === METRICS.dbOperationDuration.name && point.attributes['db.system.name'] === system);
}

function expectPgDurations(receiver: OtlpMessages): void {
  const pg = durationPoints(receiver, 'postgresql');
  expect(pg.find((point) => point.attributes['error.type'] === '22P02')?.count).toBe(2);
  expect(pg.filter((point) => point.attributes['error.type'] === undefined).reduce((sum, point) => sum + (point.count ?? 0), 0)).toBe(8);
  expect(pg.every((point) => point.attributes['db.namespace'] === 'test' && point.attributes['server.port'] === 5432)).toBe(true);
}

/** The app ended on its own, and what it pushed arrived, decoded, in one encoding (the interval is longer than the run: the flush before exit sent it). */
function expectExitedAfterFlush(pushed: OtlpRun, signals: readonly string[], encoding: string): void {
  expect(pushed.run.signal).toBeNull();
  expect(pushed.run.code, pushed.run.stderr).toBe(0);
  expectSecretsReachedTheDatabase(lastJsonLine<SecretsResult>(pushed.run.stdout));
  const { messages } = pushed.receiver;
  expect(new Set(messages.map((message) => message.signal))).toEqual(new Set(signals));
  expect(new Set(messages.map((message) => message.encoding))).toEqual(new Set([encoding]));
  if (pushed.receiver instanceof OtlpReceiver) expect(pushed.receiver.requests).toHaveLength(messages.length);
}

describe('OTLP metrics push (OTEL_METRICS_EXPORTER=otlp), http/protobuf by default', () => {
  let pushed: OtlpRun;
  beforeAll(async () => { pushed = await runPushingTo({ tracesExporter: 'none' }); }, 90_000);

  it('exits by itself, having flushed its metrics before exit, as protobuf', () => {
    expectExitedAfterFlush(pushed, ['metrics'], 'application/x-protobuf');
  });

  it('sends cumulative histograms by default', () => {
    expect(new Set(durationPoints(pushed.receiver, 'postgresql').map((point) => point.temporality))).toEqual(new Set(['AGGREGATION_TEMPORALITY_CUMULATIVE']));
  });

  it('pushes db.client.operation.duration data points for pg and Redis with their attributes', () => {
    expectPgDurations(pushed.receiver);
    expect(durationPoints(pushed.receiver, 'redis').map((point) => point.attributes['db.operation.name']).sort()).toEqual(['DEL', 'GET', 'SET']);
  });

  it('leaks no secret into OTLP metrics, stdout or stderr (slow-query log on)', () => {
    expectNoSecret(pushed.receiver.allBodies(), 'OTLP exports');
    expectNoSecret(pushed.run.stdout, 'stdout');
    expectNoSecret(pushed.run.stderr, 'stderr');
  });
});

describe('OTLP metrics and traces push (OTEL_TRACES_EXPORTER=otlp too), http/protobuf by default', () => {
  let pushed: OtlpRun;
  beforeAll(async () => { pushed = await runPushingTo({ tracesExporter: 'otlp' }); }, 90_000);

  it('exits by itself, having flushed metrics and spans before exit, as protobuf', () => {
    expectExitedAfterFlush(pushed, ['metrics', 'traces'], 'application/x-protobuf');
  });

  it('pushes pg and Redis spans whose db.query.text carries no value', () => {
    const spans = pushed.receiver.spans();
    const texts = spans.map((span) => span.attributes['db.query.text']).filter((text): text is string => typeof text === 'string');
    expect(texts).toContain('select $1::text as v, pg_sleep($2)');
    expect(texts.some((text) => text.startsWith('with users(password) as (values ($3))'))).toBe(true);
    expect(texts).toEqual(expect.arrayContaining(['SET ? ?', 'GET ?', 'DEL ?']));
    expect(spans.filter((span) => span.attributes['db.system.name'] === 'postgresql' && span.name === 'SELECT')).toHaveLength(10);
    expect(durationPoints(pushed.receiver, 'redis')).toHaveLength(3);
  });

  // With traces on, the upstream pg instrumentation wraps Client.prototype.query first;
  // the querylens hook must still install around it.
  it('pushes pg durations with traces on too', () => {
    expectPgDurations(pushed.receiver);
  });

  it('leaks no secret into span attributes, events, metrics, stdout or stderr', () => {
    expectNoSecret(pushed.receiver.allBodies().replace(/"status":\{[^}]*\}/g, ''), 'OTLP exports (span status aside)');
    expectNoSecret(pushed.run.stdout, 'stdout');
    expectNoSecret(pushed.run.stderr, 'stderr');
  });

  // @opentelemetry/instrumentation-pg copies the PostgreSQL error message, which echoes
  // the offending value, into the span status; instrumentations/pg/spanStatusScrubber.ts drops it.
  it('keeps secrets out of span status messages', () => {
    expectNoSecret(pushed.receiver.allBodies(), 'OTLP exports');
  });
});

function expectSpansWithoutValues(receiver: OtlpMessages): void {
  const spans = receiver.spans();
  const texts = spans.map((span) => span.attributes['db.query.text']);
  expect(texts).toContain('select $1::text as v, pg_sleep($2)');
  expect(texts).toEqual(expect.arrayContaining(['SET ? ?', 'GET ?', 'DEL ?']));
  expect(spans.filter((span) => span.attributes['db.system.name'] === 'postgresql' && span.name === 'SELECT')).toHaveLength(10);
}

describe.each([
  ['http/json', 'application/json'],
  ['grpc', 'grpc'],
] as const)('OTEL_EXPORTER_OTLP_PROTOCOL=%s', (protocol, encoding) => {
  let pushed: OtlpRun;
  beforeAll(async () => { pushed = await runPushingTo({ tracesExporter: 'otlp', protocol }); }, 90_000);

  it('sends metrics and spans in that protocol, flushed before exit', () => {
    expectExitedAfterFlush(pushed, ['metrics', 'traces'], encoding);
  });

  it('sends the pg and Redis durations and spans, decoded as such', () => {
    expectPgDurations(pushed.receiver);
    expect(durationPoints(pushed.receiver, 'redis').map((point) => point.attributes['db.operation.name']).sort()).toEqual(['DEL', 'GET', 'SET']);
    expectSpansWithoutValues(pushed.receiver);
  });

  it('leaks no secret into what it sends', () => {
    expectNoSecret(pushed.receiver.allBodies(), `OTLP ${protocol} exports`);
  });
});

describe('per-signal protocols and temporality', () => {
  let pushed: OtlpRun;
  // Traces by their own variable over gRPC would need a second receiver; metrics by theirs is enough to see the override.
  beforeAll(async () => {
    pushed = await runPushingTo({
      tracesExporter: 'none',
      protocol: 'http/json',
      env: { OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta', OTEL_METRIC_EXPORT_INTERVAL: '250', QL_PAUSE_MS: '1500' },
    });
  }, 90_000);

  it('takes OTEL_EXPORTER_OTLP_METRICS_PROTOCOL over OTEL_EXPORTER_OTLP_PROTOCOL', () => {
    expectExitedAfterFlush(pushed, ['metrics'], 'application/x-protobuf');
  });

  it('sends delta histograms whose intervals add up to every call, each counted once', () => {
    const pg = durationPoints(pushed.receiver, 'postgresql');
    expect(new Set(pg.map((point) => point.temporality))).toEqual(new Set(['AGGREGATION_TEMPORALITY_DELTA']));
    // The pause in the app put a periodic export between its statements: more than one interval held pg calls.
    const intervalsWithPg = pushed.receiver.messages.filter((message) => dataPointsOf(message).some((point) => point.attributes['db.system.name'] === 'postgresql'));
    expect(intervalsWithPg.length).toBeGreaterThan(1);
    const failed = pg.filter((point) => point.attributes['error.type'] === '22P02');
    expect(failed.reduce((sum, point) => sum + (point.count ?? 0), 0)).toBe(2);
    expect(pg.filter((point) => point.attributes['error.type'] === undefined).reduce((sum, point) => sum + (point.count ?? 0), 0)).toBe(8);
    for (const point of pg) expect(point.bucketCounts?.reduce((sum, count) => sum + count, 0)).toBe(point.count);
  });
});

describe('pulled metrics and the agent routes', () => {
  it('show no secret on any route, nor in the slow-query log', async () => {
    const port = await freePort();
    const run = await runNode(APP, {
      nodeArgs: ['--require', REGISTER_CJS],
      env: {
        ...SECRET_ENV,
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
        QL_SCRAPE_PORT: String(port),
        QUERYLENS_SLOW_QUERY_LOG: 'stderr',
        QUERYLENS_SLOW_QUERY_MS: '1',
      },
      timeoutMs: 60_000,
    });
    expect(run.code, run.stderr).toBe(0);
    const result = lastJsonLine<SecretsResult>(run.stdout);
    expectSecretsReachedTheDatabase(result);
    const routes = result.routes ?? {};
    expect(routes['/metrics'].status).toBe(200);
    expect(routes['/metrics'].body).toContain(`${METRICS.dbOperationDuration.scraped}_count`);
    expect(routes['/healthz'].status).toBe(200);
    expect(routes['/querylens/api/report'].status).toBe(200);
    for (const [route, answer] of Object.entries(routes)) expectNoSecret(answer.body, route);
    // The slow-query log wrote the statements (all over 1 ms), without their values.
    expect(run.stderr).toContain('"durationMs"');
    expectNoSecret(run.stderr, 'stderr');
    console.log(`routes answered: ${Object.entries(routes).map(([route, answer]) => `${route} ${answer.status} (${answer.body.length} bytes)`).join(', ')}; stderr ${run.stderr.length} bytes`);
  }, 90_000);
});

describe('the command line', () => {
  // The NodeSDK's default process detector puts `process.command_args` and `process.command`
  // in the resource, so a secret passed on the command line (`node app.js --token=…`, here a
  // node option) would be served on `target_info` and pushed in every OTLP resource.
  it('keeps command-line arguments out of /metrics', async () => {
    const port = await freePort();
    const run = await runNode(APP, {
      nodeArgs: [`--title=${secretBound}`, '--require', REGISTER_CJS],
      env: { ...SECRET_ENV, OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(port), QL_SCRAPE_PORT: String(port) },
      timeoutMs: 60_000,
    });
    expect(run.code, run.stderr).toBe(0);
    const routes = lastJsonLine<SecretsResult>(run.stdout).routes ?? {};
    expect(routes['/metrics'].body).toContain('target_info');
    expectNoSecret(routes['/metrics'].body, '/metrics');
  }, 90_000);
});
