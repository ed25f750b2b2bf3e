/**
 * The Redis side of write-driven invalidation, in rounds: the tags the app's
 * writes dropped from memory are told to Redis (and through it to the other
 * instances) together, in one command per round for up to 500 entries in all,
 * whatever the number of tables, and at most one round per ROUND_INTERVAL_MS.
 * A write after a quiet moment is told at once; the writes that follow within
 * the interval wait for the next round. So a stream of writes costs a bounded
 * number of Redis commands per second, not one per write or per written table.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { reportAgentError } from '../core/agentErrors';

/**
 * The shortest time between the starts of two rounds. A round costs the app about 100 µs of CPU
 * when busy and up to about 1 ms when idle (bench/README.md): 20 rounds a second at most keep that
 * near 2 % of a core at worst, and other instances hear of a write within this interval plus a
 * round trip.
 */
export const ROUND_INTERVAL_MS = 50;

/**
 * Removes the tags' entries from Redis and tells the other instances; calls `told` for each tag
 * once that is done (or failed: the tag then waits for the cache's replay). Should not reject.
 */
export type TellRedis = (tags: readonly string[], told: (tag: string) => void) => Promise<void>;

export class InvalidationRounds {
  /** Tags written since the last round started: not in Redis's hands yet. */
  #waiting = new Set<string>();
  /** Per tag of the round reaching Redis now, until it has been told; empty between two rounds. */
  #inRound = new Map<string, Promise<void>>();
  #running = false;

  constructor(private readonly tell: TellRedis) {}

  add(tag: string): void {
    this.#waiting.add(tag);
    if (this.#running) return;
    this.#running = true;
    // A microtask later, so that the writes of one statement, or of one tick, share the first round.
    queueMicrotask(() => {
      this.#run().catch((error: unknown) => {
        this.#running = false;
        reportAgentError('tiered-cache', error);
      });
    });
  }

  /**
   * What a read of these tags must wait for so that Redis cannot hand it rows older than a write
   * made before it: their part of the round reaching Redis now. Undefined when one of them is
   * still waiting for a round (up to ROUND_INTERVAL_MS away): the read should go to the database.
   */
  covering(tags: readonly string[]): Promise<void>[] | undefined {
    if (!this.#running) return [];
    if (tags.some((tag) => this.#waiting.has(tag))) return undefined;
    return tags.flatMap((tag) => this.#inRound.get(tag) ?? []);
  }

  async #run(): Promise<void> {
    while (this.#waiting.size > 0) {
      const tags = [...this.#waiting];
      this.#waiting = new Set();
      const started = performance.now();
      await this.#round(tags);
      // Looked at again after each sleep: a timer counts from the loop's cached time, so it can fire a millisecond or more early.
      // The clock is read once per look: read twice, the second read could pass the deadline and ask for a negative sleep (a TimeoutNegativeWarning on the app's stderr).
      const until = started + ROUND_INTERVAL_MS;
      for (let left = until - performance.now(); left > 0; left = until - performance.now()) await sleep(left, undefined, { ref: false });
    }
    // In the same microtask as the loop's last check: a tag added after it starts a new run.
    this.#running = false;
  }

  async #round(tags: readonly string[]): Promise<void> {
    const release = new Map<string, () => void>();
    for (const tag of tags) this.#inRound.set(tag, new Promise((resolve) => release.set(tag, resolve)));
    const told = (tag: string): void => {
      release.get(tag)?.();
      this.#inRound.delete(tag);
    };
    try {
      await this.tell(tags, told);
    } catch (error) {
      reportAgentError('tiered-cache', error);
    } finally {
      for (const tag of tags) told(tag);
    }
  }
}
