/**
 * The few prototype patches that channels cannot replace:
 * - `Pipeline#exec`: ioredis publishes no batch for plain pipelines, nor for a
 *   MULTI on a Cluster (nor anything before 5.10, which has no channels);
 * - `Redis#silentEmit`: connection errors. Adding an `error` listener instead
 *   would silence ioredis' "Unhandled error event" log for apps without one;
 * - `Redis#setStatus` / `Cluster#setStatus`: reconnect attempts, and the end
 *   of a connection's set-up (see RedisRecorder);
 * - `Redis#sendCommand`: commands sent while the client is not ready, which
 *   the channel would see late or never, and every command before 5.10.
 * Each wrapper calls through first-class, returns what the original returns,
 * and keeps its own work inside a guard.
 */
import { guarded, reportAgentError } from '../../agent/agentErrors';
import { isCacheReadCommand, recordRedisCacheReply } from '../cache/redisCacheHits';
import { errorType } from './attributes';
import type { BatchRecord, RedisRecorder } from './recorder';
import type { BatchKind, PipelineLike, RedisClientLike, RedisTarget, SentCommand } from './types';

const COMPONENT = 'ioredis-patches';
const DEFAULT_PORT = 6379;

type Method<T> = (this: T, ...args: unknown[]) => unknown;

/** The endpoint a client was configured with (what ioredis itself reports on its channels). */
export function targetOfClient(client: RedisClientLike): RedisTarget {
  const database = client.condition?.select ?? client.options?.db ?? 0;
  if (client.isCluster || client.constructor.name === 'Cluster') {
    return { serverAddress: undefined, serverPort: undefined, database };
  }
  const options = client.options ?? {};
  if (options.path) return { serverAddress: options.path, serverPort: undefined, database };
  return { serverAddress: options.host ?? 'localhost', serverPort: options.port ?? DEFAULT_PORT, database };
}

/**
 * Batches by pipeline: exec re-enters itself (a MULTI queues its EXEC on a
 * first pass and sends on a second; a Cluster retries), and every pass must
 * send inside the same batch. `null`: a MULTI that ioredis publishes itself.
 */
const batchesByPipeline = new WeakMap<PipelineLike, BatchRecord | null>();

function replyFailure(entry: unknown): string | undefined {
  return Array.isArray(entry) && entry[0] instanceof Error ? errorType(entry[0]) : undefined;
}

/**
 * The error.type of a settled batch: for a MULTI the EXEC reply (the last
 * one), as ioredis' own MULTI channel reports it; for a pipeline the first
 * failed reply.
 */
function batchFailure(kind: BatchKind, results: unknown): string | undefined {
  if (!Array.isArray(results)) return undefined;
  if (kind === 'MULTI') return replyFailure(results.at(-1));
  for (const entry of results) {
    const failure = replyFailure(entry);
    if (failure !== undefined) return failure;
  }
  return undefined;
}

/**
 * Observes the pipeline's settlement through its own resolve/reject rather
 * than by attaching handlers to its promise, which would mark a rejection the
 * app never handles as handled.
 */
function observeSettlement(pipeline: PipelineLike, recorder: RedisRecorder, batch: BatchRecord): void {
  const { resolve, reject } = pipeline;
  pipeline.resolve = function resolveObserved(value: unknown): void {
    guarded(COMPONENT, () => recorder.batchFinished(batch, batchFailure(batch.kind, value)), undefined);
    resolve.call(this, value);
  };
  pipeline.reject = function rejectObserved(error: unknown): void {
    guarded(COMPONENT, () => recorder.batchFinished(batch, errorType(error)), undefined);
    reject.call(this, error);
  };
}

export function wrapPipelineExec(
  recorder: RedisRecorder,
  multiOnChannel: (pipeline: PipelineLike) => boolean,
): (original: Method<PipelineLike>) => Method<PipelineLike> {
  const begin = (pipeline: PipelineLike): BatchRecord | null => {
    const known = batchesByPipeline.get(pipeline);
    if (known !== undefined) return known?.open ? known : null;
    const kind: BatchKind = pipeline._transactions > 0 ? 'MULTI' : 'PIPELINE';
    if (kind === 'MULTI' && multiOnChannel(pipeline)) {
      batchesByPipeline.set(pipeline, null);
      return null;
    }
    // A MULTI pipeline has queued its `multi` command; `exec` comes later.
    const size = kind === 'MULTI' ? Math.max(pipeline._queue.length - 1, 0) : pipeline._queue.length;
    const batch = recorder.batchStarted(kind, size, targetOfClient(pipeline.redis));
    batchesByPipeline.set(pipeline, batch);
    observeSettlement(pipeline, recorder, batch);
    return batch;
  };
  return (original) => function execObserved(this: PipelineLike, ...args: unknown[]): unknown {
    const batch = guarded(COMPONENT, () => begin(this), null);
    if (!batch) return original.apply(this, args);
    return recorder.batches.run(batch, () => original.apply(this, args));
  };
}

export function wrapSilentEmit(recorder: RedisRecorder): (original: Method<RedisClientLike>) => Method<RedisClientLike> {
  const observe = (client: RedisClientLike, error: unknown): void => {
    // ioredis drops errors after `end` and while the app is closing the client; so do we.
    if (client.status === 'end' || client.manuallyClosing) return;
    recorder.connectionError(targetOfClient(client), error);
  };
  return (original) => function silentEmitObserved(this: RedisClientLike, ...args: unknown[]): unknown {
    if (args[0] === 'error') guarded(COMPONENT, () => observe(this, args[1]), undefined);
    return original.apply(this, args);
  };
}

export function wrapSetStatus(recorder: RedisRecorder): (original: Method<RedisClientLike>) => Method<RedisClientLike> {
  const observe = (client: RedisClientLike, status: unknown): void => {
    recorder.statusChanged(status);
    if (status !== 'reconnecting') return;
    recorder.reconnecting(targetOfClient(client));
  };
  return (original) => function setStatusObserved(this: RedisClientLike, ...args: unknown[]): unknown {
    guarded(COMPONENT, () => observe(this, args[0]), undefined);
    return original.apply(this, args);
  };
}

/**
 * Commands sent while the client is not ready. ioredis queues them and
 * publishes them on its channel only once it writes them (if ever): the
 * channel would time them from the write, parent them to whatever context
 * flushed the queue, miss their pipeline or transaction, and never see those
 * that fail unwritten (the offline queue flushed with MaxRetriesPerRequestError
 * while Redis is down, `enableOfflineQueue: false`, a closed client) — the
 * failures an outage is made of. So such a command is recorded from here, from
 * the app's call until ioredis settles it (through the command's own
 * resolve/reject: no handler is added to the app's promise), and every later
 * pass through sendCommand (the queue flush, a resend) is hidden from the
 * channel. Before 5.10 there are no channels: every command takes this path.
 */
/**
 * Per-command marks, as symbol properties rather than WeakSets: sendCommand
 * runs for every command, and a property is far cheaper than a WeakSet entry.
 * `HANDLED`: recorded (or deliberately not) here, never by the channel;
 * `CACHE_READ`: its reply feeds the Redis-as-cache counts.
 */
const HANDLED = Symbol('querylens.ioredis.handled');
const CACHE_READ = Symbol('querylens.ioredis.cacheRead');
type MarkedCommand = SentCommand & { [HANDLED]?: true; [CACHE_READ]?: true };

export function wrapSendCommand(
  recorder: RedisRecorder,
  channelsTraceCommands: boolean,
): (original: Method<RedisClientLike>) => Method<RedisClientLike> {
  const observe = (client: RedisClientLike, command: SentCommand): void => {
    const record = recorder.commandStarted(targetOfClient(client), command.name, command.args.length);
    if (!record) return;
    const { resolve, reject } = command;
    command.resolve = function resolveObserved(value: unknown): void {
      guarded(COMPONENT, () => recorder.commandFinished(record, undefined), undefined);
      resolve.call(this, value);
    };
    command.reject = function rejectObserved(error: unknown): void {
      guarded(COMPONENT, () => recorder.commandFinished(record, error), undefined);
      reject.call(this, error);
    };
  };
  // Read commands whose reply feeds the Redis-as-cache hit/miss counts. Here,
  // not on the channel: ioredis hides the keys of MGET/HGET/HMGET there.
  const observeCacheReply = (command: MarkedCommand): void => {
    command[CACHE_READ] = true;
    const { resolve } = command;
    command.resolve = function resolveCacheRead(value: unknown): void {
      recordRedisCacheReply(command.name, command.args, value);
      resolve.call(this, value);
    };
  };
  return (original) => function sendCommandObserved(this: RedisClientLike, ...args: unknown[]): unknown {
    const command = args[0];
    if (!isSentCommand(command)) return original.apply(this, args);
    const marked = command as MarkedCommand;
    try {
      if (marked[CACHE_READ] === undefined && isCacheReadCommand(marked.name)) observeCacheReply(marked);
    } catch (error) {
      reportAgentError(COMPONENT, error);
    }
    if (marked[HANDLED] === undefined) {
      // The hot path: a ready client writes the command now, and the channel records it.
      if (channelsTraceCommands && this.status === 'ready') return original.apply(this, args);
      marked[HANDLED] = true;
      guarded(COMPONENT, () => observe(this, command), undefined);
    }
    return recorder.unpublished(() => original.apply(this, args));
  };
}

function isSentCommand(value: unknown): value is SentCommand {
  const candidate = value as Partial<SentCommand> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.name === 'string'
    && Array.isArray(candidate.args) && typeof candidate.resolve === 'function' && typeof candidate.reject === 'function';
}
