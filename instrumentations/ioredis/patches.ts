/**
 * The prototype patches, the agent's only source (see instrumentation.ts for
 * why not ioredis' own tracing channels):
 * - `Pipeline#exec`: pipelines and MULTI transactions;
 * - `Redis#silentEmit`: connection errors. Adding an `error` listener instead
 *   would silence ioredis' "Unhandled error event" log for apps without one;
 * - `Redis#setStatus` / `Cluster#setStatus`: reconnect attempts, the end of a
 *   connection's set-up (see RedisRecorder), and the clients whose status
 *   /healthz reports (see connectionHealth.ts);
 * - `Redis#sendCommand`: every command (see wrapSendCommand).
 * Each wrapper calls through first-class, returns what the original returns,
 * and keeps its own work inside a guard.
 */
import { guarded, reportAgentError } from '../../core/agentErrors';
import { appWorkBegan, appWorkEnded } from '../../core/appWork';
import { cacheReadOf, recordRedisCacheReply } from '../cacheTelemetry/redisCacheHits';
import { errorType } from './attributes';
import type { BatchRecord, CommandRecord, RedisRecorder } from './recorder';
import type { BatchKind, PipelineLike, RedisClientLike, RedisTarget, SentCommand } from './types';

const COMPONENT = 'ioredis-patches';
const DEFAULT_PORT = 6379;

type Method<T> = (this: T, ...args: unknown[]) => unknown;

/** The last target of a client, kept on the client so a command does not build one. */
const TARGET = Symbol('querylens.ioredis.target');
type ClientWithTarget = RedisClientLike & { [TARGET]?: RedisTarget };

function buildTarget(client: RedisClientLike, database: number): RedisTarget {
  if (client.isCluster || client.constructor.name === 'Cluster') {
    return { serverAddress: undefined, serverPort: undefined, database };
  }
  const options = client.options ?? {};
  if (options.path) return { serverAddress: options.path, serverPort: undefined, database };
  return { serverAddress: options.host ?? 'localhost', serverPort: options.port ?? DEFAULT_PORT, database };
}

/**
 * The endpoint a client was configured with (what ioredis itself reports on
 * its channels). The same object while the selected database stays the same:
 * the address is fixed at construction, the database moves with SELECT.
 */
export function targetOfClient(client: RedisClientLike): RedisTarget {
  const database = client.condition?.select ?? client.options?.db ?? 0;
  const known = (client as ClientWithTarget)[TARGET];
  if (known?.database === database) return known;
  const target = buildTarget(client, database);
  (client as ClientWithTarget)[TARGET] = target;
  return target;
}

/**
 * Batches by pipeline: exec re-enters itself (a MULTI queues its EXEC on a
 * first pass and sends on a second; a Cluster retries), and every pass must
 * send inside the same batch.
 */
const batchesByPipeline = new WeakMap<PipelineLike, BatchRecord>();

function replyFailure(entry: unknown): string | undefined {
  return Array.isArray(entry) && entry[0] instanceof Error ? errorType(entry[0]) : undefined;
}

/**
 * The error.type of a settled batch: for a MULTI the EXEC reply (the last
 * one), the error the app's `exec()` rejects with; for a pipeline the first
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

export function wrapPipelineExec(recorder: RedisRecorder): (original: Method<PipelineLike>) => Method<PipelineLike> {
  const begin = (pipeline: PipelineLike): BatchRecord | null => {
    const known = batchesByPipeline.get(pipeline);
    if (known !== undefined) return known.open ? known : null;
    const kind: BatchKind = pipeline._transactions > 0 ? 'MULTI' : 'PIPELINE';
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
    recorder.connectionError(client, targetOfClient(client), error);
  };
  return (original) => function silentEmitObserved(this: RedisClientLike, ...args: unknown[]): unknown {
    if (args[0] === 'error') guarded(COMPONENT, () => observe(this, args[1]), undefined);
    return original.apply(this, args);
  };
}

export function wrapSetStatus(recorder: RedisRecorder): (original: Method<RedisClientLike>) => Method<RedisClientLike> {
  const observe = (client: RedisClientLike, status: unknown): void => {
    const target = targetOfClient(client);
    recorder.statusChanged(status);
    recorder.serverSeen(target);
    recorder.connections.statusChanged(client, target, status);
    if (status !== 'reconnecting') return;
    recorder.reconnecting(target);
  };
  return (original) => function setStatusObserved(this: RedisClientLike, ...args: unknown[]): unknown {
    guarded(COMPONENT, () => observe(this, args[0]), undefined);
    return original.apply(this, args);
  };
}

/**
 * Marks a command the patch has seen: ioredis sends a command through
 * sendCommand again when it flushes its offline queue or resends after a
 * reconnect, and it is recorded once. A symbol of our own, not ioredis'
 * `isTraced`: that flag would keep ioredis from publishing the command on its
 * tracing channel to every other subscriber.
 */
const SEEN = Symbol('querylens.ioredis.seen');
type SeenCommand = SentCommand & { [SEEN]?: true };

/**
 * Every command the app sends is recorded here, from the app's call until
 * ioredis settles it, through the command's own resolve/reject (no handler is
 * added to the app's promise). Here rather than on ioredis' command channel
 * (5.11+, 6) because:
 * - subscribing makes ioredis return a traced wrapper promise it marks handled
 *   (`traced.catch(noop)`), so a failing command the app never awaits would no
 *   longer raise `unhandledRejection`;
 * - a command sent while the client is not ready is queued, and the channel
 *   would publish it only when it is written, if ever: it would time it from
 *   the write, parent it to whatever flushed the queue, miss its pipeline or
 *   transaction, and never see those that fail unwritten (the offline queue
 *   flushed with MaxRetriesPerRequestError while Redis is down,
 *   `enableOfflineQueue: false`, a closed client), the failures an outage is
 *   made of;
 * - publishing costs ioredis a context with sanitized arguments and a wrapper
 *   promise per command;
 * - Redis-as-cache counts need the keys of MGET/HGET/HMGET, which ioredis
 *   hides on the channel.
 */
export function wrapSendCommand(recorder: RedisRecorder): (original: Method<RedisClientLike>) => Method<RedisClientLike> {
  // Plain try/catch rather than `guarded`: this runs for every command, and a guard closure per call shows.
  const finish = (record: CommandRecord, error: unknown): void => {
    appWorkEnded();
    try {
      recorder.commandFinished(record, error);
    } catch (failure) {
      reportAgentError(COMPONENT, failure);
    }
  };
  const observe = (client: RedisClientLike, command: SentCommand): void => {
    const record = recorder.commandStarted(targetOfClient(client), command.name, command.args.length);
    // Read commands whose reply feeds the Redis-as-cache hit/miss counts.
    const cacheRead = cacheReadOf(command.name);
    if (!record && !cacheRead) return;
    if (record) appWorkBegan();
    const { resolve, reject } = command;
    command.resolve = function resolveObserved(value: unknown): void {
      if (record) finish(record, undefined);
      if (cacheRead) recordRedisCacheReply(cacheRead, command.args, value);
      resolve.call(this, value);
    };
    if (!record) return;
    command.reject = function rejectObserved(error: unknown): void {
      finish(record, error);
      reject.call(this, error);
    };
  };
  return (original) => function sendCommandObserved(this: RedisClientLike, ...args: unknown[]): unknown {
    const command = args[0];
    if (isSentCommand(command) && command[SEEN] !== true) {
      command[SEEN] = true;
      try {
        observe(this, command);
      } catch (error) {
        reportAgentError(COMPONENT, error);
      }
    }
    return original.apply(this, args);
  };
}

function isSentCommand(value: unknown): value is SeenCommand {
  const candidate = value as Partial<SentCommand> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.name === 'string'
    && Array.isArray(candidate.args) && typeof candidate.resolve === 'function' && typeof candidate.reject === 'function';
}
