/**
 * Invalidations that could not reach Redis (it was down): replayed when the
 * client is ready again, so Redis does not keep serving what was deleted or
 * overwritten during the outage. Bounded: past the caps an invalidation is
 * dropped and `add` says so (the Redis copy then lives until its TTL).
 */
import type { Invalidation } from './invalidationBus';

export const MAX_PENDING_KEYS = 1000;
export const MAX_PENDING_TAGS = 100;

export class PendingInvalidations {
  readonly #keys = new Set<string>();
  readonly #tags = new Set<string>();

  get size(): number {
    return this.#keys.size + this.#tags.size;
  }

  /** True while a tag's invalidation waits to be replayed: Redis may still hold its entries. */
  hasTag(tag: string): boolean {
    return this.#tags.has(tag);
  }

  /** False when a cap was reached and (part of) the invalidation was dropped. */
  add(invalidation: Invalidation): boolean {
    let kept = true;
    for (const key of invalidation.keys ?? []) {
      if (this.#keys.size < MAX_PENDING_KEYS || this.#keys.has(key)) this.#keys.add(key);
      else kept = false;
    }
    if (invalidation.tag !== undefined) {
      if (this.#tags.size < MAX_PENDING_TAGS || this.#tags.has(invalidation.tag)) this.#tags.add(invalidation.tag);
      else kept = false;
    }
    return kept;
  }

  /** Everything pending, emptied. */
  drain(): Invalidation[] {
    const drained: Invalidation[] = [];
    if (this.#keys.size > 0) drained.push({ keys: [...this.#keys] });
    for (const tag of this.#tags) drained.push({ tag });
    this.#keys.clear();
    this.#tags.clear();
    return drained;
  }
}
