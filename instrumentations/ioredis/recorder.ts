/**
 * Turns observed Redis operations into spans and metrics, and hands each
 * settled operation to recording's tally (core/redisOperations.ts). Fed by the
 * prototype patches (patches.ts).
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
import { epochMsAt, monotonicMs } from '../../core/monotonicClock';
import type { Attributes, Context, Counter, Span, Tracer } from '@opentelemetry/api';
import { otelApi } from '../../core/otelApi';
import { ATTR } from '../../core/metrics/registry';
import type { DatabaseHistogram } from '../../core/metrics/preAggregatedHistogram';
import type { RedisOperationSink } from '../../core/redisOperations';
import { AttributeCache, connectionAttributes, errorType, isReplyError, serverName, type OperationAttributes } from './attributes';
import { RedisConnections, type RedisServerHealth } from './connectionHealth';
import type { BatchKind, RedisClientLike, RedisTarget } from './types';

export interface RedisInstruments {
  readonly duration: DatabaseHistogram;
  readonly connectionErrors: Counter<Attributes>;
  readonly reconnects: Counter<Attributes>;
}

/**
 * An operation in flight. Its span is made when it settles, from the start
 * time and parent context kept here: Redis operation spans have no children,
 * so nothing needs the span before then.
 */
interface OperationRecord {
  readonly attributes: OperationAttributes;
  /** monotonicMs() at the start. */
  readonly startedAt: number;
  /** The context the span is a child of; undefined for no span (a command inside a pipeline). */
  readonly parent: Context | undefined;
}

export interface CommandRecord extends OperationRecord {
  readonly argCount: number;
}

export interface BatchRecord extends OperationRecord {
  readonly kind: BatchKind;
  readonly size: number;
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

/** Servers whose connection counters are exported at 0 before their first event; past it, a server's first event starts its series. */
const MAX_ZEROED_SERVERS = 64;

function endSpan(span: Span, type: string | undefined, endedAt: number): void {
  if (type !== undefined) {
    span.setAttribute(ATTR.errorType, type);
    // No message: Redis echoes arguments in some error messages.
    span.setStatus({ code: otelApi().SpanStatusCode.ERROR });
  }
  span.end(epochMsAt(endedAt));
}

export class RedisRecorder {
  /** The batch whose commands are being sent, for commands observed inside it. */
  readonly batches = new AsyncLocalStorage<BatchRecord>();
  /** The connection whose set-up commands are being sent. */
  private readonly connecting = new AsyncLocalStorage<ConnectPhase>();
  private readonly cache: AttributeCache;
  /** Connection state per server, for /healthz. */
  readonly connections = new RedisConnections();
  /**
   * Batches and set-up phases still open anywhere. While both are zero no
   * command can be inside one, and a command skips the two async-context
   * lookups (a tenth of the agent's cost per command). A phase that is never
   * closed (its context ended first) only keeps the lookups on.
   */
  private openBatches = 0;
  private openPhases = 0;
  /** Servers already exported at 0, on the instruments they were exported on (a new meter starts again). */
  private zeroed = { on: undefined as RedisInstruments | undefined, servers: new Set<string>() };

  /**
   * `operations`: where each operation's calls are counted for the report.
   * `spans`: false records metrics and statistics only (no context lookup, no span).
   */
  constructor(
    private readonly tracer: () => Tracer,
    private readonly instruments: () => RedisInstruments,
    operations: RedisOperationSink,
    private readonly spans = true,
  ) {
    this.cache = new AttributeCache(operations);
  }

  /** Undefined when the command belongs to a transaction (recorded by the transaction). */
  commandStarted(target: RedisTarget, command: string, argCount: number): CommandRecord | undefined {
    if (this.openPhases > 0 && this.connecting.getStore()?.open) return undefined;
    const batch = this.openBatches > 0 ? this.batches.getStore() : undefined;
    const inBatch = batch !== undefined && batch.open;
    if (inBatch && batch.kind === 'MULTI') return undefined;
    const attributes = this.cache.forCommand(target, command);
    return { attributes, argCount, startedAt: monotonicMs(), parent: inBatch ? undefined : this.spanParent() };
  }

  commandFinished(record: CommandRecord, error: unknown): void {
    const endedAt = monotonicMs();
    const type = error === undefined ? undefined : errorType(error);
    const answered = type === undefined || isReplyError(error);
    const span = this.startSpan(record);
    this.recordDuration(record, type, endedAt, answered, span);
    if (type !== undefined && !answered) this.connections.commandUnanswered(record.attributes.target, type);
    if (!span) return;
    span.setAttribute(ATTR.dbQueryText, record.attributes.text(record.argCount));
    endSpan(span, type, endedAt);
  }

  batchStarted(kind: BatchKind, size: number, target: RedisTarget): BatchRecord {
    const attributes = this.cache.forCommand(target, kind);
    this.openBatches += 1;
    return { kind, size, attributes, startedAt: monotonicMs(), parent: this.spanParent(), open: true };
  }

  /** `type` is the batch's error type: its own failure, or for a pipeline the first failed command's. */
  batchFinished(batch: BatchRecord, type: string | undefined): void {
    const endedAt = monotonicMs();
    if (batch.open) this.openBatches -= 1;
    batch.open = false;
    // Only the error type is known here, not whether Redis answered: a failed transaction is not taken as an answer.
    const span = this.startSpan(batch);
    if (batch.kind === 'MULTI') this.recordDuration(batch, type, endedAt, type === undefined, span);
    if (!span) return;
    span.setAttribute(ATTR.dbOperationBatchSize, batch.size);
    endSpan(span, type, endedAt);
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
      this.openPhases += 1;
      return;
    }
    const phase = this.connecting.getStore();
    if (!phase?.open) return;
    phase.open = false;
    this.openPhases -= 1;
  }

  /**
   * A client's status changed: its server's connection errors (the series without
   * error.type) and reconnects exist at 0 from then on, so the first of either is an
   * increase rate() and increase() see. Error types are not known before they happen.
   */
  serverSeen(target: RedisTarget): void {
    const instruments = this.instruments();
    if (this.zeroed.on !== instruments) this.zeroed = { on: instruments, servers: new Set() };
    const name = serverName(target);
    const { servers } = this.zeroed;
    if (servers.has(name) || servers.size >= MAX_ZEROED_SERVERS) return;
    servers.add(name);
    const attributes = connectionAttributes(target);
    instruments.connectionErrors.add(0, attributes);
    instruments.reconnects.add(0, attributes);
  }

  connectionError(client: RedisClientLike, target: RedisTarget, error: unknown): void {
    const type = errorType(error);
    this.instruments().connectionErrors.add(1, connectionAttributes(target, type));
    this.connections.connectionError(client, target, type);
  }

  reconnecting(target: RedisTarget): void {
    this.instruments().reconnects.add(1, connectionAttributes(target));
  }

  /** `answered`: Redis replied (with a value or an error reply), as opposed to a timeout or a lost connection. `span`: the operation's own, the exemplar's. */
  private recordDuration(record: OperationRecord, type: string | undefined, endedAt: number, answered: boolean, span: Span | undefined): void {
    const attributes = type === undefined ? record.attributes.attributes : record.attributes.failed(type);
    const durationMs = endedAt - record.startedAt;
    this.instruments().duration.record(durationMs / 1000, attributes, span?.spanContext());
    record.attributes.tally.settled(durationMs, type !== undefined);
    if (answered) record.attributes.lastAnsweredAt = endedAt;
  }

  /** Connection state per server, worst first (the /healthz `redis` list). */
  connectionHealth(): RedisServerHealth[] {
    const lastAnswered = new Map<string, number>();
    for (const operation of this.cache.operations()) {
      const at = operation.lastAnsweredAt;
      if (at === undefined) continue;
      const server = serverName(operation.target);
      lastAnswered.set(server, Math.max(at, lastAnswered.get(server) ?? at));
    }
    return this.connections.snapshot(lastAnswered);
  }

  /** The context an operation's span will be a child of; undefined when no span is made. */
  private spanParent(): Context | undefined {
    return this.spans ? otelApi().context.active() : undefined;
  }

  /**
   * Spans have no parent requirement (background jobs get theirs too). A span
   * nobody records is dropped at once and its attributes are never built.
   */
  private startSpan(record: OperationRecord): Span | undefined {
    if (!record.parent) return undefined;
    const options = { kind: otelApi().SpanKind.CLIENT, startTime: epochMsAt(record.startedAt) };
    const span = this.tracer().startSpan(record.attributes.operation, options, record.parent);
    if (!span.isRecording()) return undefined;
    span.setAttributes(record.attributes.attributes);
    return span;
  }
}
