/**
 * Starts the agent once per process: configuration, SDK, instrumentations,
 * the agent server. Never throws into the app and never keeps it alive.
 */
import { getHeapStatistics } from 'node:v8';
import type { Server } from 'node:http';
import { isMainThread } from 'node:worker_threads';
import type { Meter } from '@opentelemetry/api';
import { readConfig, type QuerylensConfig } from './config';
import { AGENT_COMPONENTS, agentErrorCount, reportAgentError } from '../core/agentErrors';
import type * as Sdk from './sdk';
import { startAgentServer } from '../http/server';
import { resolveServiceName } from './serviceName';
import { AGENT_VERSION } from '../core/version';
import { ATTR, METRICS, QUERYLENS_RUNTIME_METRICS } from '../core/metrics/registry';
import { createObservableCounter, createObservableGauge } from '../core/metrics/instruments';
import { PgInstrumentation } from '../instrumentations/pg/instrumentation';
import type * as UpstreamSpans from '../instrumentations/pg/upstreamSpans';
import { IoredisInstrumentation } from '../instrumentations/ioredis/instrumentation';
import { RedisStatistics } from '../recording/redisStatistics';
import { LruCacheInstrumentation } from '../instrumentations/lru-cache/instrumentation';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { currentRequestKey, trackHttpRequests } from '../instrumentations/http/requestContext';
import { startSqlRuntime } from './startRecording';
import { isAgentQuery } from '../agentQueries/agentQuery';
import { observeSqlEngine, startSqlEngine, type RuntimeSqlEngine } from './startAnalysis';
import { currentProcessRole, serverPlacement } from '../http/serverPort';
import { flushPushedTelemetryBeforeExit } from './flushOnExit';
import { agentRoutes } from '../http/agentRoutes';
import { clearLiveCaches } from '../instrumentations/cacheTelemetry/clearLiveCaches';
import { shouldPrintStartupLine, startupLine } from './startupLine';
import { explainPortClashes } from '../http/portHeldHint';

export interface AgentHandle {
  readonly config: QuerylensConfig;
  /** False when disabled by OTEL_SDK_DISABLED or when running in a worker thread. */
  readonly active: boolean;
  /** Resolves when the agent server is listening (or could not start). */
  readonly ready: Promise<void>;
  shutdown(): Promise<void>;
}

const AGENT_KEY = Symbol.for('querylens.agent');
type GlobalWithAgent = typeof globalThis & { [AGENT_KEY]?: AgentHandle };

function warn(line: string): void {
  process.stderr.write(`${line}\n`);
}

function inactive(config: QuerylensConfig): AgentHandle {
  return { config, active: false, ready: Promise.resolve(), shutdown: () => Promise.resolve() };
}

function registerAgentMetrics(meter: Meter, engine: RuntimeSqlEngine): void {
  observeSqlEngine(meter, engine);
  const info = createObservableGauge(meter, METRICS.agentInfo);
  info.addCallback((result) => result.observe(1, { [ATTR.version]: AGENT_VERSION }));
  // The ceiling the heap-near-limit alert compares v8js_memory_heap_used to; the runtime instrumentation has none.
  const heapLimit = createObservableGauge(meter, QUERYLENS_RUNTIME_METRICS.heapSizeLimit);
  heapLimit.addCallback((result) => result.observe(getHeapStatistics().heap_size_limit));
  observeAgentErrors(meter);
}

/** Every component at 0 from the start, so its first failure is an increase an alert sees. */
function observeAgentErrors(meter: Meter): void {
  const components = AGENT_COMPONENTS.map((component) => ({ component, attributes: { [ATTR.component]: component } }));
  const errors = createObservableCounter(meter, METRICS.agentErrors);
  errors.addCallback((result) => {
    for (const { component, attributes } of components) result.observe(agentErrorCount(component), attributes);
  });
}

/** Once the server's outcome is known: the start-up line, and a word when the app later clashes with its port. */
function announce(config: QuerylensConfig, listening: Server | undefined, requestedPort: number): void {
  const address = listening?.address();
  const listeningPort = typeof address === 'object' && address !== null ? address.port : undefined;
  if (listening !== undefined && listeningPort !== undefined) explainPortClashes(listening, listeningPort, warn);
  if (!shouldPrintStartupLine(config.startupLog, process.stderr.isTTY === true)) return;
  warn(startupLine({
    version: AGENT_VERSION,
    pid: process.pid,
    host: config.prometheusHost,
    requestedPort,
    listeningPort,
    metricsExporter: config.metricsExporter,
    tracesExporter: config.tracesExporter,
    metricsProtocol: config.metricsProtocol,
    tracesProtocol: config.tracesProtocol,
    env: process.env,
  }));
}

function activate(config: QuerylensConfig): AgentHandle {
  const startedAt = Date.now();
  const serviceName = resolveServiceName(config.serviceName, process.cwd());
  // First: the SQL parser compiles on V8's background threads while the
  // OpenTelemetry SDK, required only now, loads on this one.
  const engine = startSqlEngine(config, warn);
  const { buildTelemetry } = require('./sdk') as typeof Sdk;
  trackHttpRequests();
  // Spans are made only for an exporter: none is made for nobody, in pg or Redis.
  const exportsSpans = config.tracesExporter !== 'none';
  const instrumentations: Instrumentation[] = [];
  // Upstream spans first: an instrumentation hooks pg as it is constructed, and
  // upstream unwraps whatever wrapped Client.prototype.query before it. Ours,
  // constructed after, wraps around it and sees the app's own text.
  // Required only then: the upstream instrumentation is a load the default (no traces) never needs.
  if (exportsSpans) {
    const { createPgSpansInstrumentation } = require('../instrumentations/pg/upstreamSpans') as typeof UpstreamSpans;
    instrumentations.push(createPgSpansInstrumentation(engine.statements, config.sqlcommenter));
  }
  const pg = new PgInstrumentation({
    analyzer: engine.statements, requestContextKey: currentRequestKey, isAgentQuery, wrapsOwnSpans: exportsSpans,
  });
  const redisStatistics = new RedisStatistics();
  const ioredis = new IoredisInstrumentation({ spans: exportsSpans, operations: redisStatistics });
  instrumentations.push(pg, ioredis, new LruCacheInstrumentation());
  const telemetry = buildTelemetry(config, serviceName, instrumentations);
  const { prometheus } = telemetry;
  telemetry.start();
  if (config.metricsExporter === 'otlp' || config.tracesExporter === 'otlp') flushPushedTelemetryBeforeExit(telemetry, engine.catchUp);
  registerAgentMetrics(telemetry.meter, engine);
  const sqlRuntime = startSqlRuntime(config, {
    meter: telemetry.meter,
    engine,
    pools: pg.pools,
    redisCommands: () => redisStatistics.summaries(),
    serviceName,
    startedAt,
    warn,
  });

  const routes = agentRoutes({
    metrics: telemetry.metricsRoute,
    report: sqlRuntime.report,
    admin: { token: config.adminToken, resetStats: sqlRuntime.resetStats, clearCaches: clearLiveCaches },
    health: {
      serviceName,
      startedAt,
      pools: () => pg.pools.snapshots(),
      redis: () => ioredis.connectionHealth(),
      metricsServed: prometheus !== undefined,
      tracesExporter: config.tracesExporter,
      sqlParserReady: engine.parserReady,
    },
  });
  const placement = serverPlacement(config.prometheusPort, currentProcessRole(process.env));
  const server = startAgentServer({ host: config.prometheusHost, ...placement, routes, warn });
  server.then((listening) => announce(config, listening, placement.port)).catch((error: unknown) => reportAgentError('bootstrap', error));
  return {
    config,
    active: true,
    ready: server.then(() => undefined),
    shutdown: async () => {
      const listening = await server;
      listening?.close();
      await Promise.all([sqlRuntime.close(), telemetry.shutdown()]);
    },
  };
}

export function startAgent(): AgentHandle {
  const holder = globalThis as GlobalWithAgent;
  const existing = holder[AGENT_KEY];
  if (existing) return existing;
  let handle: AgentHandle;
  const config = readConfig(process.env, warn);
  try {
    // Worker threads share the process's port: only the main thread serves.
    handle = config.disabled || !isMainThread ? inactive(config) : activate(config);
  } catch (error) {
    reportAgentError('bootstrap', error);
    handle = inactive(config);
  }
  holder[AGENT_KEY] = handle;
  return handle;
}
