/**
 * The agent's clock: milliseconds from an arbitrary moment, never going
 * back, as performance.now() counts them, read from process.hrtime().
 * `performance` (node:perf_hooks, or the global, which loads the same
 * modules on first read) is not loaded by bare Node.js, and loading it was
 * 0.6 ms of a 7 ms preload on this project's fast machine; per read the two
 * cost the same (31–40 ns there: V8 drops hrtime's array once the caller
 * is optimized). Every time the agent keeps or compares comes from here:
 * readings of another clock do not compare with these.
 */

export function monotonicMs(): number {
  const time = process.hrtime();
  return time[0] * 1000 + time[1] / 1e6;
}

/** Epoch milliseconds less monotonicMs(), taken once as performance.timeOrigin is: a later step of the wall clock does not move the times below. */
const EPOCH_OFFSET_MS = Date.now() - monotonicMs();

/** A monotonicMs() reading as epoch milliseconds (span times, ISO times on pages). */
export function epochMsAt(monotonic: number): number {
  return EPOCH_OFFSET_MS + monotonic;
}
