/**
 * The Redis side of write-driven invalidation, in rounds: the tags the app's
 * writes dropped from memory are told to Redis (and through it to the other
 * instances) together, one command per round whatever the number of tables,
 * and at most one round per ROUND_INTERVAL_MS. A write after a quiet moment is
 * told at once; the writes that follow within the interval wait for the next
 * round. So a stream of writes costs a bounded number of Redis commands per
 * second, not one per write or per written table.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { reportAgentError } from '../core/agentErrors';

/**
 * The shortest time between the starts of two rounds. A round costs the app about 100 µs of CPU
 * on loopback (bench/README.md): 20 rounds a second at most keep that near 0.2 % of a core, and
 * other instances hear of a write within this interval plus a round trip.
 */
export const ROUND_INTERVAL_MS = 50;

interface Round {
  readonly tags: ReadonlySet<string>;
  readonly done: Promise<void>;
}

export class InvalidationRounds {
  /** Tags written since the last round started: not in Redis's hands yet. */
  #waiting = new Set<string>();
  /** The round reaching Redis now; undefined between two rounds. */
  #round: Round | undefined;
  #running = false;

  /** `tell` removes the tags from Redis and tells the other instances; it should not reject. */
  constructor(private readonly tell: (tags: readonly string[]) => Promise<void>) {}

  add(tag: string): void {
    this.#waiting.add(tag);
    if (this.#running) return;
    this.#running = true;
    // A microtask later, so that the writes of one statement, or of one tick, share the first round.
    queueMicrotask(() => { void this.#run(); });
  }

  /**
   * What a read of these tags must wait for so that Redis cannot hand it rows older than a write
   * made before it: the round reaching Redis now. Undefined when one of them is still waiting for
   * a round (up to ROUND_INTERVAL_MS away): the read should go to the database.
   */
  covering(tags: readonly string[]): Promise<void>[] | undefined {
    if (!this.#running) return [];
    if (tags.some((tag) => this.#waiting.has(tag))) return undefined;
    const round = this.#round;
    return round !== undefined && tags.some((tag) => round.tags.has(tag)) ? [round.done] : [];
  }

  async #run(): Promise<void> {
    while (this.#waiting.size > 0) {
      const tags = this.#waiting;
      this.#waiting = new Set();
      const started = performance.now();
      const done = this.tell([...tags]).catch((error: unknown) => reportAgentError('tiered-cache', error));
      this.#round = { tags, done };
      await done;
      this.#round = undefined;
      const wait = ROUND_INTERVAL_MS - (performance.now() - started);
      if (wait > 0) await sleep(wait, undefined, { ref: false });
    }
    // In the same microtask as the loop's last check: a tag added after it starts a new run.
    this.#running = false;
  }
}
