/**
 * Cross-instance stampede protection: on a miss in memory and Redis, one
 * instance takes the key's lock in Redis (`SET … NX PX lease`) and loads; the
 * others wait for the value it stores, polling Redis, then load themselves
 * when it does not come within the wait (the app never waits longer). A
 * holder that crashed is covered by the lease, after which the lock is gone;
 * the lock is released only by its holder (its token, compared in Redis).
 * When Redis cannot answer, or the breaker is open, the caller loads: single
 * flight is then per process only.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisLayer } from './redisLayer';

export interface LockSettings {
  /** How long a holder keeps the lock at most: its load should end within it (a crashed holder's lock lasts that long). */
  readonly leaseMs: number;
  /** How long an instance waits for the holder's value before loading itself. */
  readonly waitMs: number;
}

/** The lease without `hardTimeoutMs`: a load slower than this may run in another instance too. */
export const DEFAULT_LEASE_MS = 5_000;

/** Polls start fast, for loads of a few milliseconds, and slow down to this. */
const FIRST_POLL_MS = 5;
const LONGEST_POLL_MS = 100;

export type LockOutcome =
  /** This instance holds the lock: load, store, then `release()`. */
  | { readonly kind: 'held'; release(): Promise<void> }
  /** Another instance stored a fresh value while this one waited. */
  | { readonly kind: 'stored'; readonly text: string; readonly waitedMs: number }
  /**
   * Load without the lock: Redis could not answer (`unavailable`), the holder ended without storing
   * (`released`: its load failed, or the value is not cached), or the wait ran out (`timeout`).
   */
  | { readonly kind: 'load'; readonly reason: 'unavailable' | 'released' | 'timeout'; readonly waitedMs?: number };

export class RedisLock {
  constructor(private readonly layer: RedisLayer, private readonly settings: LockSettings) {}

  /** Takes the key's lock or waits for its holder; `fresh` says whether a stored text is a value within its TTL. */
  async acquireOrWait(key: string, fresh: (text: string) => boolean): Promise<LockOutcome> {
    const token = randomUUID();
    const taken = await this.layer.lock(key, token, this.settings.leaseMs);
    if (taken === undefined) return { kind: 'load', reason: 'unavailable' };
    if (taken) return { kind: 'held', release: () => this.layer.unlock(key, token) };
    return this.#waitForHolder(key, fresh);
  }

  async #waitForHolder(key: string, fresh: (text: string) => boolean): Promise<LockOutcome> {
    const started = performance.now();
    const waited = (): number => performance.now() - started;
    for (let pollMs = FIRST_POLL_MS; ; pollMs = Math.min(pollMs * 2, LONGEST_POLL_MS)) {
      const left = this.settings.waitMs - waited();
      if (left <= 0) return { kind: 'load', reason: 'timeout', waitedMs: waited() };
      await sleep(Math.min(pollMs, left), undefined, { ref: false });
      const seen = await this.layer.readWithLock(key);
      if (seen === undefined) return { kind: 'load', reason: 'unavailable', waitedMs: waited() };
      if (seen.text !== null && fresh(seen.text)) return { kind: 'stored', text: seen.text, waitedMs: waited() };
      if (!seen.locked) return { kind: 'load', reason: 'released', waitedMs: waited() };
    }
  }
}
