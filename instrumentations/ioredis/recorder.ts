/**
 * Turns observed Redis operations into spans and metrics. Fed by the
 * diagnostics_channel subscribers and the prototype patches alike, so both
 * sources record exactly the same thing.
 *
 * Batches: a pipeline is only a way of sending commands, Redis still runs and
 * answers each one, so every pipelined command records its own duration and
 * error; the pipeline gets one span (no span per command). A MULTI/EXEC
 * transaction is one unit for Redis: its commands only answer `QUEUED`, so they
 * record nothing of their own; the transaction records one span and one
 * duration with `db.operation.name="MULTI"`. This keeps sums over
 * `db_client_operation_duration_count` equal to the operations Redis executed
 * as a unit, without double counting.
 *
 * Connection set-up: the commands ioredis sends on its own while connecting
 * (AUTH/HELLO, SELECT, CLIENT SETINFO, the INFO ready check) are not the app's
 * and record nothing; CLIENT SETINFO even fails with ERR on Redis < 7.2, which
 * would show as an error on every connect.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Attributes, Counter, Histogram, Span, Tracer } from '@opentelemetry/api';
import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ATTR } from '../../agent/metrics/registry';
import { AttributeCache, connectionAttributes, errorType, type OperationAttributes } from './attributes';
import type { BatchKind, RedisTarget } from './types';

export interface RedisInstruments {
  readonly duration: Histogram<Attributes>;
  readonly connectionErrors: Counter<Attributes>;
  readonly reconnects: Counter<Attributes>;
}

export interface CommandRecord {
  readonly attributes: OperationAttributes;
  readonly startedAt: number;
  /** Undefined when nobody records spans, or inside a pipeline (the pipeline has the span). */
  readonly span: Span | undefined;
}

export interface BatchRecord {
  readonly kind: BatchKind;
  readonly attributes: OperationAttributes;
  readonly startedAt: number;
  readonly span: Span | undefined;
  /**
   * Cleared when the batch settles: the async context outlives the batch (a
   * callback passed to `exec` is scheduled inside it), and commands the app
   * sends from there are its own, not the batch's.
   */
  open: boolean;
}

/** One connection's set-up, from status `connect` (socket open) to the next status (`ready`, or a failure). */
interface ConnectPhase {
  open: boolean;
}

function endSpan(span: Span, type: string | undefined): void {
  if (type !== undefined) {
    span.setAttribute(ATTR.errorType, type);
    // No message: Redis echoes arguments in some error messages.
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

export class RedisRecorder {
  /** The batch whose commands are being sent, for commands observed inside it. */
  readonly batches = new AsyncLocalStorage<BatchRecord>();
  /** The connection whose set-up commands are being sent. */
  private readonly connecting = new AsyncLocalStorage<ConnectPhase>();
  private readonly cache = new AttributeCache();

  constructor(
    private readonly tracer: () => Tracer,
    private readonly instruments: () => RedisInstruments,
  ) {}

  /** Undefined when the command belongs to a transaction (recorded by the transaction). */
  commandStarted(target: RedisTarget, command: string, argCount: number): CommandRecord | undefined {
    if (this.connecting.getStore()?.open) return undefined;
    const batch = this.batches.getStore();
    const inBatch = batch !== undefined && batch.open;
    if (inBatch && batch.kind === 'MULTI') return undefined;
    const attributes = this.cache.forCommand(target, command);
    const span = inBatch ? undefined : this.startSpan(attributes, argCount, undefined);
    return { attributes, startedAt: performance.now(), span };
  }

  commandFinished(record: CommandRecord, error: unknown): void {
    this.finish(record, error === undefined ? undefined : errorType(error));
  }

  batchStarted(kind: BatchKind, size: number, target: RedisTarget): BatchRecord {
    const attributes = this.cache.forCommand(target, kind);
    const span = this.startSpan(attributes, undefined, size);
    return { kind, attributes, startedAt: performance.now(), span, open: true };
  }

  /** `type` is the batch's error type: its own failure, or for a pipeline the first failed command's. */
  batchFinished(batch: BatchRecord, type: string | undefined): void {
    batch.open = false;
    if (batch.kind === 'MULTI') {
      this.finish(batch, type);
    } else if (batch.span) {
      endSpan(batch.span, type);
    }
  }

  /**
   * A client changed status. ioredis sets `connect` at the start of its
   * connect handler, then sends the set-up commands from that handler's async
   * continuation and sets `ready` (or a failure status) from there too: so the
   * phase entered here covers exactly the set-up. Once closed, what runs in
   * that context (the offline queue flush, the socket's callbacks) is the app's.
   * Without the status patch (ioredis loaded before the agent) no phase exists
   * and set-up commands are recorded like others: noise, never loss.
   */
  statusChanged(status: unknown): void {
    if (status === 'connect') {
      // enterWith, not run(): the status is set from inside ioredis' handler,
      // whose rest must carry the phase; the handler's own frame ends with it.
      this.connecting.enterWith({ open: true });
      return;
    }
    const phase = this.connecting.getStore();
    if (phase?.open) phase.open = false;
  }

  connectionError(target: RedisTarget, error: unknown): void {
    this.instruments().connectionErrors.add(1, connectionAttributes(target, errorType(error)));
  }

  reconnecting(target: RedisTarget): void {
    this.instruments().reconnects.add(1, connectionAttributes(target));
  }

  private finish(record: CommandRecord, type: string | undefined): void {
    const seconds = (performance.now() - record.startedAt) / 1000;
    const attributes = type === undefined ? record.attributes.attributes : record.attributes.failed(type);
    this.instruments().duration.record(seconds, attributes);
    if (record.span) endSpan(record.span, type);
  }

  /**
   * Spans have no parent requirement (background jobs get theirs too). A span
   * nobody records is dropped at once and its attributes are never built.
   */
  private startSpan(attributes: OperationAttributes, argCount: number | undefined, batchSize: number | undefined): Span | undefined {
    const span = this.tracer().startSpan(attributes.operation, { kind: SpanKind.CLIENT }, context.active());
    if (!span.isRecording()) return undefined;
    span.setAttributes(attributes.attributes);
    if (argCount !== undefined) span.setAttribute(ATTR.dbQueryText, attributes.text(argCount));
    if (batchSize !== undefined) span.setAttribute(ATTR.dbOperationBatchSize, batchSize);
    return span;
  }
}
