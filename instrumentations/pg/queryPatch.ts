/**
 * Wraps `Client.prototype.query`: times every statement, labels it from the
 * SQL engine's cached analysis (operation and table from the parse tree, not
 * the first word), records the semconv duration and rows, and hands a
 * QueryEvent to the runtime recorder. The app gets the same result, error and
 * callback; agent work that fails is reported, never thrown.
 */
import { monotonicMs } from '../../core/monotonicClock';
import type { Span, SpanContext } from '@opentelemetry/api';
import { activeSpan, otelApi } from '../../core/otelApi';
import { reportAgentError } from '../../core/agentErrors';
import { appWorkBegan, appWorkEnded } from '../../core/appWork';
import type { DatabaseHistogram } from '../../core/metrics/preAggregatedHistogram';
import { emitQueryEvent, hasQueryObservers, type QueryEvent } from '../../core/queryEvents';
import type { StatementAnalysis } from '../../core/statementAnalysis';
import type { CallSite } from '../../core/callSite';
import type { RequestScope } from '../../core/requestEvents';
import { currentLoaderScope, recordDatabaseTimeInLoader, type LoaderDatabaseTime } from '../cacheTelemetry/loaderScope';
import { guessOperation, writesOfUnparsed } from '../../core/keywordGuess';
import { hasDataChangeListeners } from '../../core/dataChanges';
import { noteStatementWrites } from './committedWrites';
import { analysisAttributes, connectionTargetOf, operationAttributes } from './queryAttributes';
import { unitOfWorkKey } from './unitOfWorkKey';
import { affectedRowsOf, describeQueryCall, errorTypeOf, returnedRowsOf, wrapCallbackIn, type QueryCall } from './queryCall';
import type { NodeCallback, PgClientLike } from './types';
import { NOT_SAMPLED, takeDispatchedSite } from './checkouts';
import { sendingWithCallSite } from './sendingCallSite';
import type { TransactionWatch } from './transactionWatch';

export interface QueryInstruments {
  duration: DatabaseHistogram;
  returnedRows: DatabaseHistogram;
}

export interface StatementAnalyzer {
  /** Cached analysis of `text`; undefined until the SQL parser has loaded. */
  analyze(text: string): StatementAnalysis | undefined;
  /** For a text `analyze` had no answer for: `record` gets its analysis once the parser has loaded. */
  analyzeWhenReady?(text: string, record: (analysis: StatementAnalysis) => void): void;
}

export interface QueryPatchDeps {
  readonly analyzer: () => StatementAnalyzer | undefined;
  readonly instruments: () => QueryInstruments;
  /** True for the agent's own statements (EXPLAIN), which are never recorded. */
  readonly isAgentQuery: (firstArg: unknown) => boolean;
  /** The HTTP request or unit of work sending the statement: groups its statements (before the active span) and names its route. */
  readonly requestScope: () => RequestScope | undefined;
  readonly callSites: StatementCallSites;
  readonly transactions: () => TransactionWatch | undefined;
}

/** Call sites of statements: which executions pay for a stack capture, and the capture. */
export interface StatementCallSites {
  sample(text: string): boolean;
  /** The app's call site above `skip`. */
  capture(skip: (...args: never[]) => unknown): CallSite | undefined;
}

export type QueryFunction = (this: PgClientLike, ...args: unknown[]) => unknown;

/** What is known when the statement is sent. */
interface QueryStart {
  readonly call: QueryCall;
  readonly analysis: StatementAnalysis | undefined;
  readonly started: number;
  // Read when the statement is sent: pg calls back from its socket's async
  // context, which belongs to whoever opened the connection, not this caller.
  /** The cache load this statement runs inside, if any. */
  readonly loaderScope: LoaderDatabaseTime | undefined;
  /** The request, or else the active span, whose statements are counted together for N+1. */
  readonly unitKey: string | undefined;
  readonly spanContext: SpanContext | undefined;
  readonly site: CallSite | undefined;
  readonly scope: RequestScope | undefined;
}

function record(client: PgClientLike, start: QueryStart, error: unknown, result: unknown, deps: QueryPatchDeps): void {
  appWorkEnded();
  try {
    const { call, started } = start;
    const ended = monotonicMs();
    const durationSeconds = (ended - started) / 1000;
    deps.transactions()?.observe(client, started, ended, start.site, start.scope);
    // A statement that started while the parser was loading may be labelled once it has.
    const analysis = start.analysis ?? analyzeSafely(call.text, deps);
    if (start.loaderScope) {
      recordDatabaseTimeInLoader(durationSeconds, start.loaderScope);
      start.loaderScope.trail?.statement(analysis);
    }
    const target = connectionTargetOf(client);
    const failed = error !== undefined && error !== null;
    if (hasDataChangeListeners()) noteStatementWrites(client, analysis?.writes ?? writesOfUnparsed(guessOperation(call.text)), failed, result);
    const errorType = failed ? errorTypeOf(error) : undefined;
    const attributes = analysis && !failed
      ? analysisAttributes(target, analysis)
      : operationAttributes(target, analysis?.operation ?? guessOperation(call.text), analysis?.collection ?? '', errorType);
    const instruments = deps.instruments();
    // The span active when the statement was sent: the exemplar's trace (the pg span itself is made inside the call).
    instruments.duration.record(durationSeconds, attributes, start.spanContext);
    const returned = failed ? undefined : returnedRowsOf(result);
    if (returned !== undefined) instruments.returnedRows.record(returned, attributes);
    if (!hasQueryObservers()) return;
    const { spanContext } = start;
    const event: MaybeLabelledEvent = {
      analysis,
      text: call.text,
      values: call.values,
      durationSeconds,
      rows: failed ? undefined : affectedRowsOf(result),
      errorCode: errorType,
      contextKey: start.unitKey,
      traceId: spanContext?.traceId,
      callSite: start.site,
      request: start.scope,
      endedAt: Date.now(),
      server: target,
    };
    if (isLabelled(event)) emitQueryEvent(event);
    else recordWhenAnalysed(event, deps);
  } catch (agentError) {
    reportAgentError('pg-query', agentError);
  }
}

/** A finished statement, before or after the SQL engine has labelled it (one object either way: this is the hot path). */
type MaybeLabelledEvent = Omit<QueryEvent, 'analysis'> & { readonly analysis: StatementAnalysis | undefined };

function isLabelled(event: MaybeLabelledEvent): event is QueryEvent {
  return event.analysis !== undefined;
}

/**
 * A statement that finished before the SQL parser loaded still counts in the
 * per-statement statistics: it is recorded once the parser has labelled it.
 * Its parameter values are not kept while it waits (they may be large), so
 * value rules and the cache-candidate sample skip that one execution.
 */
function recordWhenAnalysed(event: MaybeLabelledEvent, deps: QueryPatchDeps): void {
  const waiting = { ...event, values: undefined };
  deps.analyzer()?.analyzeWhenReady?.(event.text, (analysis) => emitQueryEvent({ ...waiting, analysis }));
}

function analyzeSafely(text: string, deps: QueryPatchDeps): StatementAnalysis | undefined {
  try {
    return deps.analyzer()?.analyze(text);
  } catch (error) {
    reportAgentError('sql-analysis', error);
    return undefined;
  }
}

/** The span's context when it is real: without a tracer provider every span is the invalid all-zero one. */
function recordedContextOf(span: Span | undefined): SpanContext | undefined {
  const spanContext = span?.spanContext();
  return spanContext !== undefined && otelApi().isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** An HTTP request groups its statements across the spans inside it (a resolver span per item is still one loop). */
function unitKeyOf(requestKey: string | undefined, span: Span | undefined): string | undefined {
  if (requestKey !== undefined) return requestKey;
  return span === undefined ? undefined : unitOfWorkKey(span);
}

/** This execution's call site: the one `pool.query` read where the app called it, else a capture when sampled. */
function callSiteOf(client: PgClientLike, text: string, hook: QueryFunction, deps: QueryPatchDeps): CallSite | undefined {
  try {
    const dispatched = takeDispatchedSite(client);
    if (dispatched !== undefined) return dispatched === NOT_SAMPLED ? undefined : dispatched;
    return deps.callSites.sample(text) ? deps.callSites.capture(hook) : undefined;
  } catch (error) {
    reportAgentError('pg-query', error);
    return undefined;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

export function createQueryPatch(original: QueryFunction, deps: QueryPatchDeps): QueryFunction {
  const hook = function query(this: PgClientLike, ...args: unknown[]): unknown {
    const call = describeQueryCall(args);
    if (call === undefined || deps.isAgentQuery(args[0])) return original.apply(this, args);
    const span = activeSpan();
    appWorkBegan();
    const scope = deps.requestScope();
    const site = callSiteOf(this, call.text, hook, deps);
    const start: QueryStart = {
      call,
      started: monotonicMs(),
      analysis: analyzeSafely(call.text, deps),
      loaderScope: currentLoaderScope(),
      unitKey: unitKeyOf(scope?.key, span),
      spanContext: recordedContextOf(span),
      site,
      scope,
    };
    if (call.callbackIndex >= 0 || call.configCallback) {
      const client = this;
      wrapCallbackIn(args, call, (callback: NodeCallback): NodeCallback => function recorded(this: unknown, error: unknown, result: unknown) {
        record(client, start, error, result, deps);
        // The app's callback gets pg's receiver and arguments as they are (apply of arguments copies nothing).
        return callback.apply(this, arguments as unknown as Parameters<NodeCallback>);
      });
      return site === undefined ? original.apply(this, args) : sendingWithCallSite(site, () => original.apply(this, args));
    }
    const result = site === undefined ? original.apply(this, args) : sendingWithCallSite(site, () => original.apply(this, args));
    // Any thenable: pg honours a custom Promise class (`new Client({ Promise })`).
    if (!isThenable(result)) return result;
    return result.then(
      (value: unknown) => {
        record(this, start, undefined, value, deps);
        return value;
      },
      (error: unknown) => {
        record(this, start, error, undefined, deps);
        throw error;
      },
    );
  };
  return hook;
}
