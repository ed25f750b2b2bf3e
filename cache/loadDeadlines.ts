/**
 * The tiered cache's answers when a loader is slow or fails: a hard timeout
 * on every load, and, with a stale value at hand (the grace period), that
 * value when the load fails, times out, or takes longer than the soft
 * timeout (the load then goes on in the background and stores its result).
 * Timers are unref'd; a load left behind can never become an unhandled
 * rejection.
 */
import type { CacheEvent } from '../instrumentations/cacheTelemetry/cacheStatistics';

export class LoaderTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`cache loader did not finish within ${timeoutMs} ms`);
    this.name = 'LoaderTimeoutError';
  }
}

export interface LoadOutcome {
  readonly value: unknown;
  /** Served from an entry past its TTL, within its grace period. */
  readonly stale: boolean;
}

const SOFT_TIMEOUT = Symbol('soft timeout');

function after<T>(ms: number, settle: () => T): { promise: Promise<T>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(settle());
      } catch (error) {
        reject(error);
      }
    }, ms);
    timer.unref();
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/** The load's value, or a LoaderTimeoutError after `timeoutMs` (counted); the load itself cannot be stopped and its late result is dropped. */
export async function withHardTimeout<T>(load: Promise<T>, timeoutMs: number | undefined, count: (event: CacheEvent) => void): Promise<T> {
  if (timeoutMs === undefined) return load;
  const deadline = after(timeoutMs, () => {
    count('hard_timeout');
    throw new LoaderTimeoutError(timeoutMs);
  });
  load.catch(() => undefined);
  deadline.promise.catch(() => undefined);
  try {
    return await Promise.race([load, deadline.promise]);
  } finally {
    deadline.cancel();
  }
}

/** With a stale value at hand: the fresh value, else the stale one (counted) when the load fails or outlasts `softTimeoutMs`. */
export async function freshOrStale(load: Promise<unknown>, stale: unknown, softTimeoutMs: number | undefined,
  count: (event: CacheEvent) => void): Promise<LoadOutcome> {
  const soft = softTimeoutMs === undefined ? undefined : after(softTimeoutMs, () => SOFT_TIMEOUT);
  // The load may outlive this answer (soft timeout): its failure must not go unhandled.
  load.catch(() => undefined);
  try {
    const value = await (soft === undefined ? load : Promise.race([load, soft.promise]));
    if (value !== SOFT_TIMEOUT) return { value, stale: false };
    count('soft_timeout');
    return { value: stale, stale: true };
  } catch {
    count('grace_hit');
    return { value: stale, stale: true };
  } finally {
    soft?.cancel();
  }
}
