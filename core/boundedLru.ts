/**
 * A map bounded by entry count and by total weight (for example text
 * length), evicting the least recently used entries approximately with the
 * CLOCK (second chance) policy: a hit is one Map lookup and a flag write,
 * instead of the delete-and-reinsert an exact LRU needs on every hit.
 */

export interface BoundedLruLimits<K, V> {
  readonly maxEntries: number;
  readonly maxWeight: number;
  readonly weigh: (key: K, value: V) => number;
}

interface Slot<V> {
  readonly value: V;
  readonly weight: number;
  referenced: boolean;
}

export class BoundedLru<K, V> {
  private readonly slots = new Map<K, Slot<V>>();
  private weight = 0;
  private evicted = 0;

  constructor(private readonly limits: BoundedLruLimits<K, V>) {}

  get(key: K): V | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    slot.referenced = true;
    return slot.value;
  }

  /** Stores `value` unless it alone weighs more than the whole budget. */
  set(key: K, value: V): void {
    const weight = this.limits.weigh(key, value);
    this.delete(key);
    if (weight > this.limits.maxWeight) return;
    this.slots.set(key, { value, weight, referenced: false });
    this.weight += weight;
    this.evictOverflow();
  }

  delete(key: K): void {
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    this.slots.delete(key);
    this.weight -= slot.weight;
  }

  clear(): void {
    this.slots.clear();
    this.weight = 0;
  }

  get size(): number {
    return this.slots.size;
  }

  get totalWeight(): number {
    return this.weight;
  }

  get evictions(): number {
    return this.evicted;
  }

  private evictOverflow(): void {
    while (this.slots.size > this.limits.maxEntries || this.weight > this.limits.maxWeight) {
      const oldest = this.slots.entries().next();
      if (oldest.done === true) return;
      const [key, slot] = oldest.value;
      this.slots.delete(key);
      if (slot.referenced) {
        // Second chance: recently used entries go to the young end once.
        slot.referenced = false;
        this.slots.set(key, slot);
      } else {
        this.weight -= slot.weight;
        this.evicted += 1;
      }
    }
  }
}
