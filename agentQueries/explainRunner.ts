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
import { agentQuery, type AgentQueryConfig } from './agentQuery';
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

/** Estimated sizes of the plan's relations and work_mem: what plan rules need beyond an estimate-only plan. */
const PLAN_CONTEXT_SQL = `SELECT c.relname::text AS relation, max(c.reltuples)::float8 AS rows,
  (SELECT setting::bigint * 1024 FROM pg_settings WHERE name = 'work_mem')::float8 AS work_mem_bytes
  FROM pg_class c WHERE c.relname = ANY($1::text[]) AND c.reltuples >= 0 GROUP BY c.relname`;

async function planContext(client: ExplainClient, plan: unknown): Promise<Pick<ExplainResult, 'relationRows' | 'workMemBytes'>> {
  const tree = readPlan(plan);
  // Unqualified names: without VERBOSE the plan does not name schemas.
  const relations = tree === undefined ? [] : [...new Set(planNodes(tree.root).flatMap((node) => (node.relation === undefined ? [] : [node.relation])))];
  if (relations.length === 0) return {};
  const { rows } = await client.query(agentQuery(PLAN_CONTEXT_SQL, [relations]));
  const relationRows: Record<string, number> = {};
  let workMemBytes: number | undefined;
  for (const row of rows) {
    if (typeof row.relation === 'string' && typeof row.rows === 'number') relationRows[row.relation] = row.rows;
    if (typeof row.work_mem_bytes === 'number') workMemBytes = row.work_mem_bytes;
  }
  return workMemBytes === undefined ? { relationRows } : { relationRows, workMemBytes };
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

  async function explain(request: ExplainRequest): Promise<ExplainResult> {
    const Client = pgClientClass();
    if (Client === undefined) return { outcome: 'skipped', reason: 'pg-not-found' };
    const config = options.connectionConfigFor(request.server);
    if (config === undefined) return { outcome: 'skipped', reason: 'no-connection-config' };
    let watchdog: NodeJS.Timeout | undefined;
    try {
      // statement_timeout bounds the server side; the watchdog bounds a hung network.
      const timedOut = new Promise<never>((_resolve, reject) => {
        watchdog = setTimeout(() => reject(new Error('explain watchdog timeout')), timeoutMs * 2);
        watchdog.unref();
      });
      const work = context.with(AGENT_CONTEXT, async () => {
        const client = await connect(request.server, config, Client);
        const result = await client.query(agentQuery(`EXPLAIN (FORMAT JSON) ${request.text}`, request.values));
        const plan: unknown = result.rows[0]?.['QUERY PLAN'];
        if (plan === undefined) return { outcome: 'error', reason: 'empty-plan' } as const;
        return { outcome: 'ok', plan, ...(await planContext(client, plan)) } as const;
      });
      work.catch(() => undefined);
      return await Promise.race([work, timedOut]);
    } catch (error) {
      void closeClient();
      return errorOutcome(error);
    } finally {
      clearTimeout(watchdog);
    }
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
