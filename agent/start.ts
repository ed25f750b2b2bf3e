/**
 * Starts the agent once per process, in two parts. At preload, only what
 * must be in place before the app's first line runs: the configuration and
 * capture (the pg, ioredis and lru-cache hooks and the request context),
 * recording onto held state (core/metrics/heldMeter.ts, core/queryEvents.ts,
 * earlyStatements.ts). The rest (the SQL engine, the OpenTelemetry SDK,
 * recording, the agent server) loads afterwards, in stages between the
 * app's own work (startStages.ts), and takes over what was held. When spans
 * are exported every stage runs at preload: a span needs its tracer from
 * the app's first statement on.
 * Never throws into the app and never keeps it alive.
 */
import type { Server } from 'node:http';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { readConfig, type QuerylensConfig } from './config';
import { reportAgentError } from '../core/agentErrors';
import { threadRole } from '../core/threadRole';
import { resolveServiceName } from './serviceName';
import { HeldMeterProvider } from '../core/metrics/heldMeter';
import { holdQueryEventsForFirstObserver } from '../core/queryEvents';
import { holdRequestEndsForFirstObserver } from '../core/requestEvents';
import { PgInstrumentation } from '../instrumentations/pg/instrumentation';
import type { StatementAnalyzer } from '../instrumentations/pg/queryPatch';
import type * as UpstreamSpans from '../instrumentations/pg/upstreamSpans';
import { IoredisInstrumentation } from '../instrumentations/ioredis/instrumentation';
import { LruCacheInstrumentation } from '../instrumentations/lru-cache/instrumentation';
import { currentRequestScope, trackHttpRequests } from '../instrumentations/http/requestContext';
import { sampleCacheHistory } from '../instrumentations/cacheTelemetry/cacheStatistics';
import { RedisStatistics } from '../recording/redisStatistics';
import { isAgentQuery } from '../agentQueries/agentQuery';
import type * as Sdk from './sdk';
import type * as StartAnalysis from './startAnalysis';
import type * as StartRecording from './startRecording';
import type * as StartServer from './startServer';
import type * as AgentMetrics from './agentMetrics';
import type * as HistorySampler from './historySampler';
import type * as ModuleSlices from './moduleSlices';
import type * as FlushOnExit from './flushOnExit';
import { provideStatementLookup } from '../core/statementLookup';
import { EarlyStatements } from './earlyStatements';
import { runStagesWhenIdle, type StartStage, type StartStages } from './startStages';
import { STAGE_PACKAGES, stageModuleBatches, stagePackageCopies, stagePackagePlan, type StageModuleGroup, type StagePackage } from './stageModules';

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

/** Capture as the app's first line finds it: every hook in place, recording onto held state. */
interface Capture {
  readonly pg: PgInstrumentation;
  readonly ioredis: IoredisInstrumentation;
  readonly redisStatistics: RedisStatistics;
  readonly instrumentations: Instrumentation[];
}

function startCapture(config: QuerylensConfig, analyzer: StatementAnalyzer, upstreamSpans: Instrumentation | undefined, meters: HeldMeterProvider): Capture {
  trackHttpRequests();
  holdQueryEventsForFirstObserver();
  holdRequestEndsForFirstObserver();
  // Spans are made only for an exporter: none is made for nobody, in pg or Redis.
  const exportsSpans = upstreamSpans !== undefined;
  const pg = new PgInstrumentation({
    analyzer,
    requestScope: currentRequestScope,
    isAgentQuery,
    wrapsOwnSpans: exportsSpans,
    callSites: config.callSites,
    appRoot: process.cwd(),
    poolLeakMs: config.poolLeakMs,
    longTransactionMs: config.longTransactionMs,
    idleInTransactionMs: config.idleInTransactionMs,
  });
  const redisStatistics = new RedisStatistics();
  const ioredis = new IoredisInstrumentation({ spans: exportsSpans, operations: redisStatistics });
  // Upstream spans first: an instrumentation hooks pg as it is constructed, and
  // upstream unwraps whatever wrapped Client.prototype.query before it. Ours,
  // constructed after, wraps around it and sees the app's own text.
  const instrumentations = [...(upstreamSpans ? [upstreamSpans] : []), pg, ioredis, new LruCacheInstrumentation()];
  for (const instrumentation of instrumentations) instrumentation.setMeterProvider(meters);
  return { pg, ioredis, redisStatistics, instrumentations };
}

function loadSqlEngine(config: QuerylensConfig): StartAnalysis.RuntimeSqlEngine {
  const engine = (require('./startAnalysis') as typeof StartAnalysis).startSqlEngine(config, warn);
  // The query cache (querylens/cache) reads statements through the same cache capture uses.
  provideStatementLookup(engine.statements);
  return engine;
}

/** The SDK's packages the telemetry stage needs, loaded a file per stage (moduleSlices.ts) before it. */
function sdkPackages(config: QuerylensConfig): StagePackage[] {
  return STAGE_PACKAGES.filter((id) => id !== '@opentelemetry/exporter-prometheus' || config.metricsExporter === 'prometheus');
}

/** A stage that requires `ids`, in order, ahead of the stage that needs them. */
function loadingBatch(ids: readonly string[]): StartStage {
  return () => {
    const { requireAhead } = require('./moduleSlices') as typeof ModuleSlices;
    for (const id of ids) requireAhead(require, id);
  };
}

/** A stage that answers the stages loading `group`'s files, a batch each: the list is read when the stages reach it, not at preload. */
function loadingOwnModules(group: StageModuleGroup): StartStage {
  return () => stageModuleBatches(group).map(loadingBatch);
}

/** What the later stages build, each set by its stage. */
interface LaterParts {
  engine?: StartAnalysis.RuntimeSqlEngine;
  telemetry?: Sdk.AgentTelemetry;
  runtime?: StartRecording.SqlRuntime;
  stopHistory?: () => void;
  server?: Promise<Server | undefined>;
}

interface StartContext {
  readonly config: QuerylensConfig;
  readonly serviceName: string;
  readonly startedAt: number;
  readonly capture: Capture;
  readonly early: EarlyStatements;
  readonly meters: HeldMeterProvider;
}

/**
 * The stages after capture, in order: each needs what the ones before it
 * built. Before a stage runs, the modules it needs load in stages of their
 * own, a few files per stage: loaded together they would hold the app for as long
 * as their sum. The SQL engine's first (then its own stage only starts the
 * parser's load), then the SDK's packages and the telemetry's own files,
 * then recording's and the agent server's.
 */
function laterStages(context: StartContext, parts: LaterParts): StartStage[] {
  const { config, capture } = context;
  return [
    loadingOwnModules('sqlEngine'),
    () => {
      if (parts.engine) return;
      parts.engine = loadSqlEngine(config);
      context.early.handTo(parts.engine.statements);
      capture.pg.useAnalyzer(parts.engine.statements);
    },
    ...sdkPackages(config).map((id) => () => {
      const { loadingSlices } = require('./moduleSlices') as typeof ModuleSlices;
      return stagePackageCopies(id, require).flatMap((from) => loadingSlices(id, from, stagePackagePlan(id)));
    }),
    loadingOwnModules('telemetry'),
    // The resource's host detector reads the machine id through fs/promises from the callbacks
    // that follow the next stage in its turn: compiling that module there doubled the turn.
    loadingBatch(['node:fs/promises']),
    () => {
      parts.telemetry = (require('./sdk') as typeof Sdk).buildTelemetry(config, context.serviceName, capture.instrumentations);
    },
    () => {
      const telemetry = parts.telemetry!;
      // Hands every instrumentation the real meter; then what they recorded before it is replayed there.
      telemetry.start();
      context.meters.replayInto(telemetry.meterProvider);
      (require('./agentMetrics') as typeof AgentMetrics).registerAgentMetrics(telemetry.meter, parts.engine!);
    },
    loadingOwnModules('recording'),
    () => {
      parts.runtime = (require('./startRecording') as typeof StartRecording).startSqlRuntime(config, {
        meter: parts.telemetry!.meter,
        engine: parts.engine!,
        pools: capture.pg.pools,
        checkConnections: (nowMs) => capture.pg.checkConnections(nowMs),
        redisCommands: () => capture.redisStatistics.summaries(),
        redisHistories: (nowMs, sinceMs) => capture.redisStatistics.serverHistories(nowMs, sinceMs),
        serviceName: context.serviceName,
        startedAt: context.startedAt,
        warn,
      });
      const { pg, redisStatistics } = capture;
      parts.stopHistory = (require('./historySampler') as typeof HistorySampler).startHistorySampler({
        sample: [(nowMs) => pg.pools.sampleHistory(nowMs), (nowMs) => pg.checkConnections(nowMs), (nowMs) => redisStatistics.sampleHistory(nowMs), sampleCacheHistory],
      });
    },
    loadingBatch(['node:http']),
    loadingOwnModules('server'),
    () => {
      parts.server = (require('./startServer') as typeof StartServer).serveAgent({
        config,
        telemetry: parts.telemetry!,
        runtime: parts.runtime!,
        health: {
          serviceName: context.serviceName,
          startedAt: context.startedAt,
          pools: () => capture.pg.pools.snapshots(),
          redis: () => capture.ioredis.connectionHealth(),
          sqlParserReady: parts.engine!.parserReady,
        },
        warn,
      });
    },
  ];
}

function activate(config: QuerylensConfig): AgentHandle {
  const startedAt = Date.now();
  const serviceName = resolveServiceName(config.serviceName, process.cwd());
  const parts: LaterParts = {};
  const early = new EarlyStatements();
  let upstreamSpans: Instrumentation | undefined;
  if (config.tracesExporter !== 'none') {
    // Spans label statements from the first one: the engine comes first (its parser still loads in the background).
    parts.engine = loadSqlEngine(config);
    const { createPgSpansInstrumentation } = require('../instrumentations/pg/upstreamSpans') as typeof UpstreamSpans;
    upstreamSpans = createPgSpansInstrumentation(parts.engine.statements, config.sqlcommenter);
  }
  const meters = new HeldMeterProvider();
  const capture = startCapture(config, parts.engine?.statements ?? early, upstreamSpans, meters);
  const context: StartContext = { config, serviceName, startedAt, capture, early, meters };
  const stages: StartStages = runStagesWhenIdle(laterStages(context, parts), (error) => reportAgentError('bootstrap', error));
  if (upstreamSpans) stages.finishNow();
  if (config.metricsExporter === 'otlp' || config.tracesExporter === 'otlp') {
    // A process that ends before the stages ran finishes them first: its last export needs them.
    (require('./flushOnExit') as typeof FlushOnExit).flushPushedTelemetryBeforeExit({ forceFlush: () => parts.telemetry?.forceFlush() ?? Promise.resolve() }, () => {
      stages.finishNow();
      return parts.engine?.catchUp() ?? Promise.resolve();
    });
  }
  return {
    config,
    active: true,
    ready: stages.done.then(() => parts.server).then(() => undefined),
    shutdown: async () => {
      stages.cancel();
      parts.stopHistory?.();
      const listening = await parts.server;
      listening?.close();
      await Promise.all([parts.runtime?.close(), parts.telemetry?.shutdown()]);
    },
  };
}

/** The agent this process started, if it has: without starting one (the build's code cache run asks). */
export function startedAgent(): AgentHandle | undefined {
  return (globalThis as GlobalWithAgent)[AGENT_KEY];
}

export function startAgent(): AgentHandle {
  const existing = startedAgent();
  if (existing) return existing;
  let handle: AgentHandle;
  const config = readConfig(process.env, warn);
  try {
    // Worker threads share the process's port: only the main thread serves.
    handle = config.disabled || !threadRole().main ? inactive(config) : activate(config);
  } catch (error) {
    reportAgentError('bootstrap', error);
    handle = inactive(config);
  }
  (globalThis as GlobalWithAgent)[AGENT_KEY] = handle;
  return handle;
}
