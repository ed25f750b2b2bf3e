/**
 * Runs a cache loader (a tiered-cache loader or an lru-cache `fetchMethod`)
 * inside a scope that measures it: loader time, the database time its queries
 * take (reported by the pg instrumentation through
 * `recordDatabaseTimeInLoader`), and a span around the load so those queries
 * become its children.
 *
 * The loader's own return value is handed back untouched (the same promise
 * object), so the caller sees exactly what it would without querylens.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { SpanKind, SpanStatusCode, context, trace, type Span } from '@opentelemetry/api';
import { ATTR, QUERYLENS_SCOPE } from '../../core/metrics/registry';
import { guarded, reportAgentError } from '../../core/agentErrors';
import type { CacheCounters } from './cacheStatistics';
import { recordCacheLoad } from './cacheMetrics';
import type { StatementAnalysis } from '../../core/statementAnalysis';

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
const tracer = trace.getTracer(QUERYLENS_SCOPE);

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
    recordCacheLoad(counters, (performance.now() - started) / 1000, scope.seconds);
    if (span === undefined) return;
    span.setAttribute('querylens.cache.load.database_queries', scope.queries);
    if (error !== undefined) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  }, undefined);
}

function startSpan(counters: CacheCounters): Span | undefined {
  return guarded('cache-load', () => tracer.startSpan(`load ${counters.name}`, {
    kind: SpanKind.INTERNAL,
    attributes: { [ATTR.cacheName]: counters.name },
  }), undefined);
}

/** Calls `load` inside a measured loader scope and returns its result as is; a load inside another inherits its trail. */
export function runLoader<T>(counters: CacheCounters, load: () => T, trail: StatementTrail | undefined = loaderStorage.getStore()?.trail): T {
  const scope = new LoaderDatabaseTime(trail);
  const span = startSpan(counters);
  const started = performance.now();
  const activeContext = span === undefined ? context.active() : trace.setSpan(context.active(), span);
  let result: T;
  try {
    result = context.with(activeContext, () => loaderStorage.run(scope, load));
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
