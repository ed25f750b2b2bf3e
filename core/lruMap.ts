/**
 * A Map with a fixed capacity that forgets the least recently used key.
 * Every runtime map of the SQL intelligence (contexts, samples, plans,
 * findings) is one of these, so memory stays bounded whatever the app sends.
 * Relies on Map keeping insertion order: a touched key is moved to the end.
 * Unlike the statement cache's CLOCK `BoundedLru` (tuned for hit cost), this
 * one is exact and iterable, which the report needs.
 */
export class LruMap<K, V> {
  private readonly entries = new Map<K, V>();
  private mostRecent: K | undefined;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`LruMap capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Reads and marks as recently used. */
  get(key: K): V | undefined {
    const value = this.entries.get(key);
    // Re-inserting costs a delete and a set (and holes V8 later compacts):
    // skipped when the key is already the most recent, as in a hot loop.
    if (value !== undefined && key !== this.mostRecent) {
      this.entries.delete(key);
      this.entries.set(key, value);
      this.mostRecent = key;
    }
    return value;
  }

  /** Reads without changing the order. */
  peek(key: K): V | undefined {
    return this.entries.get(key);
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    this.mostRecent = key;
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  /** Removes the least recently used entry and answers it, for a caller that reuses its value. */
  takeOldest(): [K, V] | undefined {
    const oldest = this.entries.entries().next();
    if (oldest.done) return undefined;
    this.delete(oldest.value[0]);
    return oldest.value;
  }

  delete(key: K): boolean {
    if (key === this.mostRecent) this.mostRecent = undefined;
    return this.entries.delete(key);
  }

  clear(): void {
    this.mostRecent = undefined;
    this.entries.clear();
  }

  values(): IterableIterator<V> {
    return this.entries.values();
  }

  entriesInOrder(): IterableIterator<[K, V]> {
    return this.entries.entries();
  }
}
