/**
 * The tiered cache's Redis layer: reads, writes, removals and the load lock's
 * commands, each bounded in time (redisDeadline.ts), skipped at once while the
 * client is reconnecting or the circuit breaker is open (circuitBreaker.ts),
 * and never rejecting: a failure is counted in
 * `querylens_cache_errors_total{cache_layer="redis"}`, told to the breaker,
 * and the cache goes on without Redis.
 */
import type { Redis } from 'ioredis';
import type { CacheCounters } from '../instrumentations/cacheTelemetry/cacheStatistics';
import type { CircuitBreaker } from './circuitBreaker';
import { withDeadline } from './redisDeadline';
import type { TieredKeys } from '../instrumentations/cacheTelemetry/tieredKeys';

/** Client states in which a command would only wait in ioredis's offline queue. */
const UNAVAILABLE = new Set(['reconnecting', 'close', 'end']);

/** Removals are sent in slices, so a large tag never becomes one huge command. */
const DELETE_BATCH = 500;

/**
 * One slice of the tags' invalidation, in one command. KEYS are the tags' sets; ARGV[1] is the
 * value-key prefix, ARGV[2] the most members to pop in this command, shared out between the sets
 * (so a large tag does not hold the small ones back), ARGV[3] the channel and ARGV[3 + i] the
 * message for KEYS[i]. Pops members, deletes their values and, for each set left empty, publishes
 * its message; returns the positions (from 1) of the sets that still have members. Popping rather
 * than reading then deleting the set keeps a member added meanwhile, with its value.
 */
const REMOVE_TAGS_SLICE = `local share = math.max(1, math.floor(tonumber(ARGV[2]) / #KEYS))
local unfinished = {}
for i, tagKey in ipairs(KEYS) do
  local members = redis.call('SPOP', tagKey, share)
  if #members > 0 then
    local keys = {}
    for j, member in ipairs(members) do keys[j] = ARGV[1] .. member end
    redis.call('DEL', unpack(keys))
  end
  if redis.call('EXISTS', tagKey) == 1 then
    unfinished[#unfinished + 1] = i
  else
    redis.call('PUBLISH', ARGV[3], ARGV[3 + i])
  end
end
return unfinished`;

/** Deletes the lock only while it still holds this owner's token: a lease that expired and was taken by another instance is theirs. */
const RELEASE_LOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

/** A value's stored text (null: none) and whether its load lock is held, read together. */
export interface EntryAndLock {
  readonly text: string | null;
  readonly locked: boolean;
}

export class RedisLayer {
  constructor(
    private readonly client: Redis,
    private readonly keys: TieredKeys,
    private readonly counters: CacheCounters,
    private readonly timeoutMs: number,
    private readonly breaker: CircuitBreaker | undefined,
  ) {}

  /**
   * Runs a command within the deadline; undefined when Redis cannot answer (one counted error)
   * or the breaker is open (not counted: no call was made).
   */
  private async attempt<T>(command: () => Promise<T>): Promise<T | undefined> {
    if (this.breaker?.allow() === false) return undefined;
    if (UNAVAILABLE.has(this.client.status)) return this.failed();
    try {
      const answer = await withDeadline(command, this.timeoutMs);
      this.breaker?.succeeded();
      return answer;
    } catch {
      return this.failed();
    }
  }

  private failed(): undefined {
    this.counters.errors += 1;
    this.breaker?.failed();
    return undefined;
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

  /**
   * Removes every entry the tags' sets name and the sets, and publishes each tag's message to the
   * other instances once its set is gone: one command for up to DELETE_BATCH entries in all,
   * whatever the number of tags. `told` hears each tag once it is done; answers the tags Redis
   * could not be told of.
   */
  async removeTagsAndPublish(tags: readonly string[], messageOf: (tag: string) => string, told?: (tag: string) => void): Promise<string[]> {
    const valuePrefix = this.keys.value('');
    let remaining = [...tags];
    while (remaining.length > 0) {
      const tagKeys = remaining.map((tag) => this.keys.tag(tag));
      const reply = await this.attempt(() => this.client.eval(REMOVE_TAGS_SLICE, tagKeys.length, ...tagKeys,
        valuePrefix, DELETE_BATCH, this.keys.channel, ...remaining.map(messageOf)));
      if (!Array.isArray(reply)) return remaining;
      const unfinished = new Set(reply);
      remaining = remaining.filter((tag, index) => {
        if (unfinished.has(index + 1)) return true;
        told?.(tag);
        return false;
      });
    }
    return [];
  }

  /** Takes the key's load lock for `leaseMs` unless another holds it: true when taken, false when held, undefined when Redis could not answer. */
  async lock(key: string, token: string, leaseMs: number): Promise<boolean | undefined> {
    const reply = await this.attempt(() => this.client.set(this.keys.lock(key), token, 'PX', leaseMs, 'NX'));
    return reply === undefined ? undefined : reply === 'OK';
  }

  /** Releases the key's load lock if this token still holds it. */
  async unlock(key: string, token: string): Promise<void> {
    await this.attempt(() => this.client.eval(RELEASE_LOCK, 1, this.keys.lock(key), token));
  }

  /** In one transaction, so "no entry and no lock" means the holder ended without storing; undefined when Redis could not answer. */
  readWithLock(key: string): Promise<EntryAndLock | undefined> {
    return this.attempt(async () => {
      const replies = await this.client.multi().get(this.keys.value(key)).exists(this.keys.lock(key)).exec();
      const [entry, lock] = replies ?? [];
      if (replies === null || entry === undefined || lock === undefined || entry[0] !== null || lock[0] !== null) throw new Error('lock read failed');
      return { text: entry[1] as string | null, locked: lock[1] === 1 };
    });
  }

  /** False when Redis could not be told. */
  async publish(message: string): Promise<boolean> {
    return await this.attempt(() => this.client.publish(this.keys.channel, message)) !== undefined;
  }
}
