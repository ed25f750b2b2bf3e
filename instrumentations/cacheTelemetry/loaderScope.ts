/**
 * Runs a cache loader (a tiered-cache loader or an lru-cache `fetchMethod`)
 * inside a scope that measures it: loader time, the database time its queries
 * take (reported by the pg instrumentation through
 * `recordDatabaseTimeInLoader`), and a span around the load so those queries
 * become its children (once the process has the OpenTelemetry API's globals:
 * before, every span would be a no-op one, core/otelApi.ts).
 *
 * The loader's own return value is handed back untouched (the same promise
 * object), so the caller sees exactly what it would without querylens.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { monotonicMs } from '../../core/monotonicClock';
import type { Span } from '@opentelemetry/api';
import { ATTR, QUERYLENS_SCOPE } from '../../core/metrics/registry';
import { guarded, reportAgentError } from '../../core/agentErrors';
import type { CacheCounters } from './cacheStatistics';
import { recordCacheLoad } from './cacheMetrics';
import type { StatementAnalysis } from '../../core/statementAnalysis';
import { otelApi, otelApiInUse } from '../../core/otelApi';

/** Told of each statement a load runs (the query cache's wrapped functions tag their entries with what those statements read). */
export interface StatementTrail {
  statement(analysis: StatementAnalysis | undefined): void;
}

/** Database time accumulated by the queries of one running load. */
export class LoaderDatabaseTime {
  seconds = 0;
  queries = 0;
  #open = true;

  constructor(readonly trail: StatementTrail | undefined = undefined) {}

  add(seconds: number): void {
    // A query that outlives its loader (fired and forgotten) belongs to no load.
    if (!this.#open || !Number.isFinite(seconds) || seconds < 0) return;
    this.seconds += seconds;
    this.queries += 1;
  }

  close(): void {
    this.#open = false;
  }
}

const loaderStorage = new AsyncLocalStorage<LoaderDatabaseTime>();

/**
 * The load the current code runs in, if any. Call it where a query starts:
 * a driver may finish the query in another async context (a pooled socket's).
 */
export function currentLoaderScope(): LoaderDatabaseTime | undefined {
  return loaderStorage.getStore();
}

/**
 * Adds one query's duration to the load it ran in. Pass the scope captured
 * with `currentLoaderScope()` when the query started; without it, the scope
 * of the calling context is used. Never throws.
 */
export function recordDatabaseTimeInLoader(seconds: number, scope: LoaderDatabaseTime | undefined = loaderStorage.getStore()): void {
  scope?.add(seconds);
}

function finish(counters: CacheCounters, span: Span | undefined, started: number, scope: LoaderDatabaseTime, error: unknown): void {
  guarded('cache-load', () => {
    scope.close();
    recordCacheLoad(counters, (monotonicMs() - started) / 1000, scope.seconds);
    if (span === undefined) return;
    span.setAttribute('querylens.cache.load.database_queries', scope.queries);
    if (error !== undefined) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: otelApi().SpanStatusCode.ERROR });
    }
    span.end();
  }, undefined);
}

function startSpan(api: typeof import('@opentelemetry/api'), counters: CacheCounters): Span | undefined {
  return guarded('cache-load', () => api.trace.getTracer(QUERYLENS_SCOPE).startSpan(`load ${counters.name}`, {
    kind: api.SpanKind.INTERNAL,
    attributes: { [ATTR.cacheName]: counters.name },
  }), undefined);
}

/** Runs `load` in `scope`, inside the load's span when the process has a tracer to make one. */
function runInScope<T>(scope: LoaderDatabaseTime, counters: CacheCounters, load: () => T): { span: Span | undefined; run: () => T } {
  const api = otelApiInUse();
  if (api === undefined) return { span: undefined, run: () => loaderStorage.run(scope, load) };
  const span = startSpan(api, counters);
  const activeContext = span === undefined ? api.context.active() : api.trace.setSpan(api.context.active(), span);
  return { span, run: () => api.context.with(activeContext, () => loaderStorage.run(scope, load)) };
}

/** Calls `load` inside a measured loader scope and returns its result as is; a load inside another inherits its trail. */
export function runLoader<T>(counters: CacheCounters, load: () => T, trail: StatementTrail | undefined = loaderStorage.getStore()?.trail): T {
  const scope = new LoaderDatabaseTime(trail);
  const { span, run } = runInScope(scope, counters, load);
  const started = monotonicMs();
  let result: T;
  try {
    result = run();
  } catch (error) {
    finish(counters, span, started, scope, error);
    throw error;
  }
  if (result instanceof Promise) {
    // Observed on a side branch that handles both outcomes: the caller keeps
    // the very same promise, and this branch can never be an unhandled rejection.
    result.then(
      () => finish(counters, span, started, scope, undefined),
      (error: unknown) => finish(counters, span, started, scope, error ?? new Error('loader rejected')),
    ).catch((error: unknown) => reportAgentError('cache-load', error));
  } else {
    finish(counters, span, started, scope, undefined);
  }
  return result;
}
