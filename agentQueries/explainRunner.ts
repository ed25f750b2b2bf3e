/**
 * Automatic EXPLAIN for slow read-only statements.
 *
 * - `EXPLAIN (FORMAT JSON)`, never ANALYZE: the statement is planned, not run.
 * - With the statement's own parameter values (plans depend on them); the
 *   plan is returned raw and must be sanitized before it is kept.
 * - On the agent's own single `pg.Client` (the app's pg package, so the same
 *   version and defaults), never from the app's pool; marked with
 *   `agentQuery` so the statement hook does not record it; its socket and
 *   timers are unref'd so it never keeps the process alive; it is closed
 *   after `idleCloseMs` without work.
 * - The session is read-only, with `statement_timeout` (which also bounds
 *   waiting for a lock held by a migration).
 * - At most once per fingerprint per `intervalMs`, one at a time, with a
 *   bounded queue: what does not fit is skipped, not waited for.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { ExplainRequest, ExplainResult, PlanRequester } from '../recording/explainRequests';
import { LruMap } from '../core/lruMap';
import { planNodes, readPlan } from '../sql/plan/planNode';
import { DEFAULT_PLAN_RULE_OPTIONS, type RelationStatistics } from '../sql/plan/planRule';
import { relationSize } from '../sql/planRules/plan-stale-statistics';
import { agentQuery, type AgentQueryConfig } from './agentQuery';
import { adviseIndexes, type IndexAdvisorSettings } from './indexAdvisor';
import type { ConnectionConfigResolver, ExplainConnectionConfig, ExplainServer } from './explainConnection';

/** The parts of `pg.Client` the runner uses. */
export interface ExplainClient {
  connect(): Promise<unknown>;
  query(config: AgentQueryConfig): Promise<{ rows: readonly Record<string, unknown>[] }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  readonly connection?: { readonly stream?: { unref?: () => unknown } };
}

export type ExplainClientClass = new (config: ExplainConnectionConfig & { application_name: string; connectionTimeoutMillis: number }) => ExplainClient;

export interface ExplainRunnerOptions {
  readonly intervalMs: number;
  readonly connectionConfigFor: ConnectionConfigResolver;
  /** statement_timeout and connect timeout (default 2,000 ms). */
  readonly timeoutMs?: number;
  /** Requests waiting behind the running one (default 16). */
  readonly maxQueue?: number;
  /** Fingerprints whose last EXPLAIN time is remembered (default 1,000). */
  readonly maxTrackedFingerprints?: number;
  /** Close the connection after this long without work (default 10,000 ms). */
  readonly idleCloseMs?: number;
  /** Defaults to the app's `pg` (resolved from the working directory), else ours. */
  readonly clientClass?: ExplainClientClass;
  readonly now?: () => number;
  /** Suggests indexes for the plans it explains (QUERYLENS_INDEX_ADVISOR); omit for none. */
  readonly advisor?: IndexAdvisorSettings;
}

export interface ExplainRunner extends PlanRequester {
  close(): Promise<void>;
}

/**
 * The agent's own statements run outside the app's trace and with tracing
 * suppressed: the pg span instrumentation would otherwise put the agent's
 * SET and EXPLAIN statements into the app's traces.
 */
const AGENT_CONTEXT = suppressTracing(ROOT_CONTEXT);

export const EXPLAIN_APPLICATION_NAME = 'querylens-explain';
export const EXPLAIN_IDLE_CLOSE_MS = 10_000;
const QUERY_CANCELED = '57014';

/** The app's pg first (the one its pool uses), falling back to the one next to the agent. */
export function loadAppPgClient(): ExplainClientClass | undefined {
  const loaders = [
    () => createRequire(path.join(process.cwd(), 'noop.js'))('pg') as unknown,
    () => require('pg') as unknown,
  ];
  for (const load of loaders) {
    try {
      const loaded = load() as { Client?: unknown } | undefined;
      if (typeof loaded?.Client === 'function') return loaded.Client as ExplainClientClass;
    } catch {
      // Not installed there: try the next place.
    }
  }
  return undefined;
}

/** The plan's relations, their statistics and real size, and work_mem: what plan rules need beyond an estimate-only plan. */
const PLAN_CONTEXT_SQL = `SELECT DISTINCT ON (c.relname) c.relname::text AS relation, c.reltuples::float8 AS estimated_rows,
  COALESCE(s.n_live_tup, 0)::float8 AS live_rows, COALESCE(s.n_mod_since_analyze, 0)::float8 AS modified_since_analyze,
  (s.last_analyze IS NOT NULL OR s.last_autoanalyze IS NOT NULL) AS analyzed,
  (SELECT setting::bigint * 1024 FROM pg_settings WHERE name = 'work_mem')::float8 AS work_mem_bytes
  FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
  WHERE c.relname = ANY($1::text[]) AND c.relkind IN ('r', 'm', 'p')
  ORDER BY c.relname, pg_table_is_visible(c.oid) DESC, c.reltuples DESC`;

type PlanContext = Pick<ExplainResult, 'relationRows' | 'relationStatistics' | 'workMemBytes'>;

function relationStatisticsOf(row: Readonly<Record<string, unknown>>): RelationStatistics {
  const figure = (key: string) => (typeof row[key] === 'number' ? row[key] : 0);
  return { estimatedRows: figure('estimated_rows'), liveRows: figure('live_rows'), modifiedSinceAnalyze: figure('modified_since_analyze'), analyzed: row.analyzed === true };
}

async function planContext(client: ExplainClient, plan: unknown): Promise<PlanContext> {
  const tree = readPlan(plan);
  // Unqualified names: without VERBOSE the plan does not name schemas.
  const relations = tree === undefined ? [] : [...new Set(planNodes(tree.root).flatMap((node) => (node.relation === undefined ? [] : [node.relation])))];
  if (relations.length === 0) return {};
  const { rows } = await client.query(agentQuery(PLAN_CONTEXT_SQL, [relations]));
  const relationRows: Record<string, number> = {};
  const relationStatistics: Record<string, RelationStatistics> = {};
  let workMemBytes: number | undefined;
  for (const row of rows) {
    if (typeof row.relation === 'string') {
      const stats = relationStatisticsOf(row);
      relationStatistics[row.relation] = stats;
      relationRows[row.relation] = relationSize(stats, DEFAULT_PLAN_RULE_OPTIONS.staleStatisticsFraction);
    }
    if (typeof row.work_mem_bytes === 'number') workMemBytes = row.work_mem_bytes;
  }
  return workMemBytes === undefined ? { relationRows, relationStatistics } : { relationRows, relationStatistics, workMemBytes };
}

function serverKey(server: ExplainServer): string {
  return `${server.address}:${server.port}/${server.database}`;
}

function errorOutcome(error: unknown): ExplainResult {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (code === QUERY_CANCELED || /timeout/i.test(message)) return { outcome: 'timeout', reason: typeof code === 'string' ? code : 'timeout' };
  // The SQLSTATE or class name only: a server message can quote values.
  return { outcome: 'error', reason: typeof code === 'string' ? code : error instanceof Error ? error.name : 'Error' };
}

interface Pending {
  readonly request: ExplainRequest;
  readonly resolve: (result: ExplainResult) => void;
}

interface OpenClient {
  readonly key: string;
  readonly client: ExplainClient;
  /** Connected and the session settings applied. */
  ready: boolean;
  broken: boolean;
}

export function createExplainRunner(options: ExplainRunnerOptions): ExplainRunner {
  const timeoutMs = options.timeoutMs ?? 2000;
  const maxQueue = options.maxQueue ?? 16;
  const idleCloseMs = options.idleCloseMs ?? EXPLAIN_IDLE_CLOSE_MS;
  const now = options.now ?? Date.now;
  const lastRequested = new LruMap<string, number>(options.maxTrackedFingerprints ?? 1000);
  const queue: Pending[] = [];
  let clientClass: ExplainClientClass | undefined | null = options.clientClass ?? null;
  let open: OpenClient | undefined;
  let running = false;
  let idleTimer: NodeJS.Timeout | undefined;

  function pgClientClass(): ExplainClientClass | undefined {
    if (clientClass === null) clientClass = loadAppPgClient();
    return clientClass;
  }

  /** Only `close()` awaits this: `end()` on a connection that never opened may not settle. */
  function closeClient(): Promise<void> {
    const closing = open;
    open = undefined;
    return closing?.client.end().catch(() => undefined) ?? Promise.resolve();
  }

  async function connect(server: ExplainServer, config: ExplainConnectionConfig, Client: ExplainClientClass): Promise<ExplainClient> {
    const key = serverKey(server);
    if (open !== undefined && open.key === key && open.ready && !open.broken) return open.client;
    void closeClient();
    const client = new Client({ ...config, application_name: EXPLAIN_APPLICATION_NAME, connectionTimeoutMillis: timeoutMs });
    // Held before connecting, so a connect that fails or hangs is closed too.
    const opening: OpenClient = { key, client, ready: false, broken: false };
    open = opening;
    // A dropped connection must not become an unhandled 'error' in the app.
    client.on('error', () => {
      opening.broken = true;
    });
    // Before connecting (net.Socket applies an early unref once connected), and
    // again after: with SSL, pg replaces the socket by a TLS one.
    client.connection?.stream?.unref?.();
    await client.connect();
    client.connection?.stream?.unref?.();
    await client.query(agentQuery(`SET statement_timeout = ${timeoutMs}`));
    await client.query(agentQuery('SET default_transaction_read_only = on'));
    opening.ready = true;
    return client;
  }

  /** `work` raced against a watchdog: statement_timeout bounds the server side, the watchdog a hung network. */
  async function guardedWork<T>(work: () => Promise<T>, limitMs: number): Promise<T> {
    let watchdog: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      watchdog = setTimeout(() => reject(new Error('explain watchdog timeout')), limitMs);
      watchdog.unref();
    });
    const running = context.with(AGENT_CONTEXT, work);
    running.catch(() => undefined);
    try {
      return await Promise.race([running, timedOut]);
    } finally {
      clearTimeout(watchdog);
    }
  }

  /**
   * Suggestions for an explained plan; none when the advisor is off or fails.
   * A failure closes the connection: hypothetical indexes die with its backend.
   */
  async function advise(client: ExplainClient, request: ExplainRequest, plan: unknown): Promise<Pick<ExplainResult, 'indexAdvice'>> {
    const advisor = options.advisor;
    if (advisor === undefined) return {};
    try {
      // Each candidate costs a few statements, each under statement_timeout.
      const indexAdvice = await guardedWork(() => adviseIndexes(client, request, plan, advisor), timeoutMs * (2 + advisor.maxCandidates));
      return { indexAdvice };
    } catch {
      void closeClient();
      return {};
    }
  }

  async function explain(request: ExplainRequest): Promise<ExplainResult> {
    const Client = pgClientClass();
    if (Client === undefined) return { outcome: 'skipped', reason: 'pg-not-found' };
    const config = options.connectionConfigFor(request.server);
    if (config === undefined) return { outcome: 'skipped', reason: 'no-connection-config' };
    let explained: { client: ExplainClient; result: ExplainResult };
    try {
      explained = await guardedWork(async () => {
        const client = await connect(request.server, config, Client);
        const result = await client.query(agentQuery(`EXPLAIN (FORMAT JSON) ${request.text}`, request.values));
        const plan: unknown = result.rows[0]?.['QUERY PLAN'];
        if (plan === undefined) return { client, result: { outcome: 'error', reason: 'empty-plan' } as const };
        return { client, result: { outcome: 'ok', plan, ...(await planContext(client, plan)) } as const };
      }, timeoutMs * 2);
    } catch (error) {
      void closeClient();
      return errorOutcome(error);
    }
    if (explained.result.outcome !== 'ok') return explained.result;
    return { ...explained.result, ...(await advise(explained.client, request, explained.result.plan)) };
  }

  function scheduleIdleClose(): void {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => void closeClient(), idleCloseMs);
    idleTimer.unref();
  }

  async function drain(): Promise<void> {
    if (running) return;
    running = true;
    clearTimeout(idleTimer);
    try {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) next.resolve(await explain(next.request));
    } finally {
      running = false;
      scheduleIdleClose();
    }
  }

  return {
    request(request) {
      const at = now();
      const last = lastRequested.get(request.fingerprint);
      if (last !== undefined && at - last < options.intervalMs) return undefined;
      lastRequested.set(request.fingerprint, at);
      if (!request.readOnly) return Promise.resolve({ outcome: 'skipped', reason: 'not-read-only' });
      if (request.statementCount !== 1) return Promise.resolve({ outcome: 'skipped', reason: 'several-statements' });
      if (queue.length >= maxQueue) return Promise.resolve({ outcome: 'skipped', reason: 'queue-full' });
      return new Promise<ExplainResult>((resolve) => {
        queue.push({ request, resolve });
        void drain();
      });
    },
    async close() {
      clearTimeout(idleTimer);
      for (const pending of queue.splice(0)) pending.resolve({ outcome: 'skipped', reason: 'closed' });
      await closeClient();
    },
  };
}
