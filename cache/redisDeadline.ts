/**
 * Bounds a Redis call in time. While Redis is unreachable ioredis keeps
 * commands queued and retries them; the cache must answer from memory and
 * the loader meanwhile, never wait for a reconnect.
 */
export class RedisTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`Redis did not answer within ${timeoutMs} ms`);
    this.name = 'RedisTimeoutError';
  }
}

/**
 * Settles with the operation or rejects after `timeoutMs`. The operation's own
 * late rejection is handled here, so it can never become unhandled; the timer
 * is unref'd, so it never keeps the process alive.
 */
export function withDeadline<T>(start: () => Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new RedisTimeoutError(timeoutMs)), timeoutMs);
    timer.unref();
    let operation: Promise<T>;
    try {
      operation = start();
    } catch (error) {
      clearTimeout(timer);
      reject(error);
      return;
    }
    operation.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (error: unknown) => { clearTimeout(timer); reject(error); },
    );
  });
}
