/**
 * The seam between Redis capture and recording, as queryEvents.ts is for pg.
 * Capture asks once per (server, database, operation) for a tally and hands
 * it every settled call of that operation: a Redis command is too cheap for
 * an event object per call, so the per-call work is one method call on an
 * object capture keeps.
 */

/** One operation name against one server and database. */
export interface RedisOperation {
  /** `host:port`, a socket path, or `cluster`. */
  readonly server: string;
  readonly database: number;
  /** The bounded operation name (`GET`, `MULTI`, `OTHER`). */
  readonly operation: string;
}

export interface RedisOperationTally {
  /** A call settled: with a value, or `failed` with an error reply, a timeout or a lost connection. */
  settled(durationMs: number, failed: boolean): void;
}

export interface RedisOperationSink {
  tally(operation: RedisOperation): RedisOperationTally;
}

/** A tally that keeps nothing: for operations nobody records, or past a recorder's bound. */
export const DISCARDED_TALLY: RedisOperationTally = { settled: () => undefined };

/** For capture without recording (the instrumentation on its own): every call is dropped. */
export const DISCARDING_REDIS_SINK: RedisOperationSink = {
  tally: () => DISCARDED_TALLY,
};
