/**
 * Bootstrap glue for the SQL runtime: the recorder (registered as the query
 * observer), the automatic EXPLAIN runner, the slow-query log, and the report
 * for `GET /querylens/api/report`. One call from `start.ts`, so the parts are
 * created and shut down together.
 */
import type { Meter } from '@opentelemetry/api';
import type { QuerylensConfig } from './config';
import { addQueryObserver } from './queryEvents';
import { createQueryRecorder, type QueryRecorder } from './recording/queryRecorder';
import { buildReport } from './report/buildReport';
import type { QuerylensReport } from './report/reportModel';
import type { StatementCacheCounts } from './sql/statementCache';
import { createSlowQueryLog } from '../exporters/slowQueryLog';
import { defaultConnectionConfigFor, type ConnectionConfigResolver } from '../instrumentations/pg/explainConnection';
import { createExplainRunner } from '../instrumentations/pg/explainRunner';

/** How long the agent's EXPLAIN may take on the server (statement_timeout). */
export const EXPLAIN_TIMEOUT_MS = 2000;

export interface SqlRuntimeOptions {
  /** Credentials for EXPLAIN from the app's own pg options; default: DATABASE_URL / PG* environment. */
  readonly connectionConfigFor?: ConnectionConfigResolver;
}

export interface ReportContext {
  readonly serviceName: string;
  readonly agentVersion: string;
  readonly startedAt: number;
  /** The statement cache's counters (`StatementCache.counts()`), when available. */
  readonly parse?: StatementCacheCounts;
}

export interface SqlRuntime {
  readonly recorder: QueryRecorder;
  report(context: ReportContext): QuerylensReport;
  shutdown(): Promise<void>;
}

export function startSqlRuntime(config: QuerylensConfig, meter: Meter, options: SqlRuntimeOptions = {}): SqlRuntime {
  const explainRunner = config.explain
    ? createExplainRunner({
      intervalMs: config.explainIntervalMs,
      timeoutMs: EXPLAIN_TIMEOUT_MS,
      connectionConfigFor: options.connectionConfigFor ?? defaultConnectionConfigFor(process.env),
    })
    : undefined;
  const slowQueryLog = createSlowQueryLog(config.slowQueryLog);
  const recorder = createQueryRecorder(config, meter, { planRequester: explainRunner, slowQueryLog });
  addQueryObserver(recorder);
  return {
    recorder,
    report: (context) => buildReport({ ...context, now: Date.now(), config, recorder, slowQueryLog }),
    shutdown: async () => {
      await explainRunner?.close();
      await slowQueryLog.close();
    },
  };
}
