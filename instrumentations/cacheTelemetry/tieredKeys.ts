/**
 * Where the tiered cache keeps things in Redis. Every key starts with
 * `TIERED_KEY_PREFIX`, so the Redis-as-cache counting can skip them (the
 * tiered cache records its own Redis layer under its name).
 */
export const TIERED_KEY_PREFIX = 'qlcache';

export interface TieredKeys {
  value(key: string): string;
  tag(tag: string): string;
  /** The key's cross-instance load lock (cache/redisLock.ts). */
  lock(key: string): string;
  readonly channel: string;
}

export function tieredKeys(cacheName: string): TieredKeys {
  const base = `${TIERED_KEY_PREFIX}:${cacheName}`;
  return {
    value: (key) => `${base}:v:${key}`,
    tag: (tag) => `${base}:t:${tag}`,
    lock: (key) => `${base}:l:${key}`,
    channel: `${base}:invalidations`,
  };
}
