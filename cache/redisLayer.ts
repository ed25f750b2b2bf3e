/**
 * The tiered cache's Redis layer: reads, writes and removals, each bounded
 * in time (redisDeadline.ts), skipped at once while the client is
 * reconnecting, and never rejecting: a failure is counted in
 * `querylens_cache_errors_total{cache_layer="redis"}` and the cache goes on
 * without Redis.
 */
import type { Redis } from 'ioredis';
import type { CacheCounters } from '../instrumentations/cacheTelemetry/cacheStatistics';
import { withDeadline } from './redisDeadline';
import type { TieredKeys } from '../instrumentations/cacheTelemetry/tieredKeys';

/** Client states in which a command would only wait in ioredis's offline queue. */
const UNAVAILABLE = new Set(['reconnecting', 'close', 'end']);

/** Removals are sent in slices, so a large tag never becomes one huge command. */
const DELETE_BATCH = 500;

export class RedisLayer {
  constructor(
    private readonly client: Redis,
    private readonly keys: TieredKeys,
    private readonly counters: CacheCounters,
    private readonly timeoutMs: number,
  ) {}

  /** Runs a command within the deadline; undefined (and one counted error) when Redis cannot answer. */
  private async attempt<T>(command: () => Promise<T>): Promise<T | undefined> {
    if (UNAVAILABLE.has(this.client.status)) {
      this.counters.errors += 1;
      return undefined;
    }
    try {
      return await withDeadline(command, this.timeoutMs);
    } catch {
      this.counters.errors += 1;
      return undefined;
    }
  }

  /** The stored text, null when Redis has no such key, undefined when Redis could not answer. */
  read(key: string): Promise<string | null | undefined> {
    return this.attempt(() => this.client.get(this.keys.value(key)));
  }

  /** Writes the entry and adds it to its tags' sets (each set lives at least as long as its members). False when Redis could not be told. */
  async write(key: string, text: string, ttlMs: number, tags: readonly string[]): Promise<boolean> {
    return await this.attempt(async () => {
      const batch = this.client.multi().set(this.keys.value(key), text, 'PX', ttlMs);
      for (const tag of tags) {
        const tagKey = this.keys.tag(tag);
        batch.sadd(tagKey, key).call('PEXPIRE', tagKey, ttlMs, 'NX').call('PEXPIRE', tagKey, ttlMs, 'GT');
      }
      await batch.exec();
      return true;
    }) === true;
  }

  /** False when Redis could not be told. */
  async remove(keys: readonly string[]): Promise<boolean> {
    let removed = true;
    for (let start = 0; start < keys.length; start += DELETE_BATCH) {
      const slice = keys.slice(start, start + DELETE_BATCH).map((key) => this.keys.value(key));
      if (await this.attempt(() => this.client.del(...slice)) === undefined) removed = false;
    }
    return removed;
  }

  /** Removes every entry the tag's set names, then the set. False when Redis could not be told. */
  async removeTag(tag: string): Promise<boolean> {
    const tagKey = this.keys.tag(tag);
    const members = await this.attempt(() => this.client.smembers(tagKey));
    if (members === undefined) return false;
    const removed = await this.remove(members);
    return await this.attempt(() => this.client.del(tagKey)) !== undefined && removed;
  }

  /** False when Redis could not be told. */
  async publish(message: string): Promise<boolean> {
    return await this.attempt(() => this.client.publish(this.keys.channel, message)) !== undefined;
  }
}
