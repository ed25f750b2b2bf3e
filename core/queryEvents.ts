/**
 * The seam between capture and analysis: the pg instrumentation emits one
 * QueryEvent per finished statement; the runtime recorder (statistics,
 * detectors, EXPLAIN, report) consumes them. Values stay in memory.
 */
import type { StatementAnalysis } from './statementAnalysis';
import type { CallSite } from './callSite';
import type { RequestScope } from './requestEvents';

export interface QueryEvent {
  readonly analysis: StatementAnalysis;
  /** The text as sent (never exported: literal-built SQL carries values inline). */
  readonly text: string;
  /** Bound parameter values, `values[0]` is `$1`; memory only. */
  readonly values: readonly unknown[] | undefined;
  readonly durationSeconds: number;
  /** Rows returned (SELECT) or affected (DML), when pg reports them. */
  readonly rows: number | undefined;
  /** SQLSTATE (`42P01`) or error class name; undefined on success. */
  readonly errorCode: string | undefined;
  /** Groups the statements of one unit of work for N+1: the HTTP request, or else the active span (keyed by object, not id). */
  readonly contextKey: string | undefined;
  readonly traceId: string | undefined;
  /** The app's code that sent it, for the executions sampled for it (most are not). */
  readonly callSite?: CallSite | undefined;
  /** The HTTP request (or unit of work) that sent it. */
  readonly request?: RequestScope | undefined;
  /** Wall-clock end time, ms since epoch. */
  readonly endedAt: number;
  readonly server: { readonly address: string; readonly port: number; readonly database: string };
}

export interface QueryObserver {
  onQuery(event: QueryEvent): void;
}

const observers: QueryObserver[] = [];

/** A start-up's worth of statements; past it they are counted, not kept. */
export const MAX_HELD_QUERY_EVENTS = 5_000;

/** Events waiting for the recorder the agent loads after capture; undefined when none is awaited. */
let held: QueryEvent[] | undefined;
let heldDropped = 0;

/**
 * The agent's recorder will observe, but loads after capture has begun:
 * until it subscribes, events wait for it (bounded) instead of being skipped.
 */
export function holdQueryEventsForFirstObserver(): void {
  if (observers.length === 0) held ??= [];
}

/** Events dropped while waiting for the first observer (past MAX_HELD_QUERY_EVENTS). */
export function droppedHeldQueryEvents(): number {
  return heldDropped;
}

export function addQueryObserver(observer: QueryObserver): void {
  observers.push(observer);
  const waiting = held;
  held = undefined;
  if (waiting) for (const event of waiting) observer.onQuery(event);
}

export function hasQueryObservers(): boolean {
  return observers.length > 0 || held !== undefined;
}

export function emitQueryEvent(event: QueryEvent): void {
  if (held !== undefined) {
    if (held.length < MAX_HELD_QUERY_EVENTS) held.push(event);
    else heldDropped += 1;
    return;
  }
  for (const observer of observers) observer.onQuery(event);
}
