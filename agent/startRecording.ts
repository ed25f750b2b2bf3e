/**
 * The SQL runtime as the agent runs it: the recorder that turns each pg
 * statement into statistics, findings and metrics, the slow-query log, the
 * automatic EXPLAIN on the agent's own connection, and the report.
 */
import type { Meter } from '@opentelemetry/api';
import type { QuerylensConfig } from './config';
import { addQueryObserver, droppedHeldQueryEvents } from '../core/queryEvents';
import { addRequestObserver } from '../core/requestEvents';
import { createQueryRecorder, type QueryRecorder } from '../recording/queryRecorder';
import { buildReport } from '../report/buildReport';
import type { QuerylensReport } from '../report/reportModel';
import type { RuntimeSqlEngine } from './startAnalysis';
import type { StatementCacheCounts } from '../recording/statementCache';
import { AGENT_VERSION } from '../core/version';
import { reportAgentError } from '../core/agentErrors';
import { createSlowQueryLog, type SlowQueryLog } from '../exporters/slowQueryLog';
import { createExplainRunner, type ExplainRunner } from '../agentQueries/explainRunner';
import { defaultConnectionConfigFor } from '../agentQueries/explainConnection';
import { poolConnectionConfig } from '../agentQueries/poolConnectionConfig';
import { DEFAULT_INDEX_ADVISOR, type IndexAdvisorSettings } from '../agentQueries/indexAdvisor';
import type { PoolRegistry } from '../instrumentations/pg/poolRegistry';
import type { RedisCommandSummary, RedisServerHistory } from '../recording/redisStatistics';
import { cacheHistories, cacheSummaries } from '../instrumentations/cacheTelemetry/cacheStatistics';

export interface SqlRuntime {
  readonly recorder: QueryRecorder;
  /** The report as served on ROUTE_PATHS.report (the status page renders it); `sinceMs` limits its history. */
  report(sinceMs?: number): QuerylensReport;
  /** Forgets the statement statistics and findings (the admin `reset-stats` action). */
  resetStats(): void;
  close(): Promise<void>;
}

export interface SqlRuntimeDeps {
  readonly meter: Meter;
  readonly engine: RuntimeSqlEngine;
  readonly pools: PoolRegistry;
  /** Reports the clients and transactions past their thresholds now, so the report is current. */
  readonly checkConnections: (nowMs: number) => void;
  readonly redisCommands: () => readonly RedisCommandSummary[];
  readonly redisHistories: (nowMs: number, sinceMs?: number) => readonly RedisServerHistory[];
  readonly serviceName: string;
  readonly startedAt: number;
  readonly warn: (line: string) => void;
}

function openSlowQueryLog(config: QuerylensConfig, warn: (line: string) => void): SlowQueryLog {
  try {
    return createSlowQueryLog(config.slowQueryLog);
  } catch (error) {
    warn(`querylens: QUERYLENS_SLOW_QUERY_LOG=${JSON.stringify(config.slowQueryLog)} cannot be opened (${error instanceof Error ? error.message : String(error)}); using the default "off"`);
    return createSlowQueryLog('off');
  }
}

function indexAdvisorSettings(config: QuerylensConfig): IndexAdvisorSettings | undefined {
  return config.indexAdvisor === 'off' ? undefined : { ...DEFAULT_INDEX_ADVISOR, mode: config.indexAdvisor, minRows: config.indexAdvisorMinRows };
}

/** The statement cache's counts, with the statements the agent's start had no room to hold for the recorder (core/queryEvents.ts). */
function parseCounts(engine: RuntimeSqlEngine): StatementCacheCounts {
  const counts = engine.statements.counts();
  return { ...counts, pendingDropped: counts.pendingDropped + droppedHeldQueryEvents() };
}

export function startSqlRuntime(config: QuerylensConfig, deps: SqlRuntimeDeps): SqlRuntime {
  const slowQueryLog = openSlowQueryLog(config, deps.warn);
  const explainRunner: ExplainRunner | undefined = config.explain
    ? createExplainRunner({
      intervalMs: config.explainIntervalMs,
      connectionConfigFor: poolConnectionConfig(deps.pools, defaultConnectionConfigFor(process.env)),
      advisor: indexAdvisorSettings(config),
    })
    : undefined;
  const recorder = createQueryRecorder(config, deps.meter, { planRequester: explainRunner, slowQueryLog });
  addQueryObserver(recorder);
  addRequestObserver(recorder);
  let statsSince = deps.startedAt;
  const report = (sinceMs?: number): QuerylensReport => {
    const now = Date.now();
    try {
      deps.checkConnections(now);
    } catch (error) {
      reportAgentError('pg-pool', error);
    }
    return buildReport({
      serviceName: deps.serviceName,
      agentVersion: AGENT_VERSION,
      startedAt: deps.startedAt,
      now,
      config,
      capture: config,
      recorder,
      parse: parseCounts(deps.engine),
      slowQueryLog,
      statsSince,
      pools: deps.pools.snapshots(),
      heldClients: deps.pools.heldClients(),
      connectionFindings: deps.pools.findings.list(now),
      redisCommands: deps.redisCommands(),
      caches: cacheSummaries(),
      historySince: sinceMs,
      poolHistories: deps.pools.histories(now, sinceMs),
      redisHistories: deps.redisHistories(now, sinceMs),
      cacheHistories: cacheHistories(now, sinceMs),
    });
  };
  return {
    recorder,
    report,
    resetStats: () => {
      recorder.reset();
      statsSince = Date.now();
    },
    close: async () => {
      await Promise.all([explainRunner?.close(), slowQueryLog.close()]);
    },
  };
}
