/**
 * The few prototype patches that channels cannot replace:
 * - `Pipeline#exec`: ioredis publishes no batch for plain pipelines, nor for a
 *   MULTI on a Cluster (or on ioredis 5, which has no channels at all);
 * - `Redis#silentEmit`: connection errors. Adding an `error` listener instead
 *   would silence ioredis' "Unhandled error event" log for apps without one;
 * - `Redis#setStatus` / `Cluster#setStatus`: reconnect attempts.
 * Each wrapper calls through first-class, returns what the original returns,
 * and keeps its own work inside a guard.
 */
import { guarded } from '../../agent/agentErrors';
import { errorType } from './attributes';
import type { BatchRecord, RedisRecorder } from './recorder';
import type { BatchKind, PipelineLike, RedisClientLike, RedisTarget } from './types';

const COMPONENT = 'ioredis-patches';
const DEFAULT_PORT = 6379;

type Method<T> = (this: T, ...args: unknown[]) => unknown;

/** The endpoint a client was configured with (what ioredis itself reports on its channels). */
export function targetOfClient(client: RedisClientLike): RedisTarget {
  const database = client.condition?.select ?? client.options?.db ?? 0;
  if (client.isCluster || client.constructor.name === 'Cluster') {
    return { address: undefined, port: undefined, database };
  }
  const options = client.options ?? {};
  if (options.path) return { address: options.path, port: undefined, database };
  return { address: options.host ?? 'localhost', port: options.port ?? DEFAULT_PORT, database };
}

/** Pipelines whose batch is already recorded: exec re-enters itself (MULTI, cluster retries). */
const tracked = new WeakSet<PipelineLike>();

/** The first failed reply of a settled pipeline, as error.type. */
function firstFailure(results: unknown): string | undefined {
  if (!Array.isArray(results)) return undefined;
  for (const entry of results) {
    if (Array.isArray(entry) && entry[0] instanceof Error) return errorType(entry[0]);
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
    guarded(COMPONENT, () => recorder.batchFinished(batch, firstFailure(value)), undefined);
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
  const begin = (pipeline: PipelineLike): BatchRecord | undefined => {
    if (tracked.has(pipeline)) return undefined;
    tracked.add(pipeline);
    const kind: BatchKind = pipeline._transactions > 0 ? 'MULTI' : 'PIPELINE';
    if (kind === 'MULTI' && multiOnChannel(pipeline)) return undefined;
    // A MULTI pipeline has queued its `multi` command; `exec` comes later.
    const size = kind === 'MULTI' ? Math.max(pipeline._queue.length - 1, 0) : pipeline._queue.length;
    const batch = recorder.batchStarted(kind, size, targetOfClient(pipeline.redis));
    observeSettlement(pipeline, recorder, batch);
    return batch;
  };
  return (original) => function execObserved(this: PipelineLike, ...args: unknown[]): unknown {
    const batch = guarded(COMPONENT, () => begin(this), undefined);
    if (!batch) return original.apply(this, args);
    return recorder.batches.run(batch, () => original.apply(this, args));
  };
}

export function wrapSilentEmit(recorder: RedisRecorder): (original: Method<RedisClientLike>) => Method<RedisClientLike> {
  const observe = (client: RedisClientLike, error: unknown): void => {
    // ioredis drops errors after `end` and while the app is closing the client; so do we.
    if (client.status === 'end' || client.manuallyClosing) return;
    const { address, port } = targetOfClient(client);
    recorder.connectionError(address, port, error);
  };
  return (original) => function silentEmitObserved(this: RedisClientLike, ...args: unknown[]): unknown {
    if (args[0] === 'error') guarded(COMPONENT, () => observe(this, args[1]), undefined);
    return original.apply(this, args);
  };
}

export function wrapSetStatus(recorder: RedisRecorder): (original: Method<RedisClientLike>) => Method<RedisClientLike> {
  const observe = (client: RedisClientLike): void => {
    const { address, port } = targetOfClient(client);
    recorder.reconnecting(address, port);
  };
  return (original) => function setStatusObserved(this: RedisClientLike, ...args: unknown[]): unknown {
    if (args[0] === 'reconnecting') guarded(COMPONENT, () => observe(this), undefined);
    return original.apply(this, args);
  };
}
