/** Redis-as-cache lookups: which commands count, per key pattern, bounded and value-free. */
import { describe, expect, it } from 'vitest';
import {
  ID_KEY_PATTERN, NO_KEY_PATTERN, type RedisLookupResult, cacheReadOf, keyPattern, looksLikeId,
} from '../../instrumentations/cacheTelemetry/redisCacheHits';
import { TIERED_KEY_PREFIX } from '../../instrumentations/cacheTelemetry/tieredKeys';

interface Lookup {
  readonly pattern: string;
  readonly result: RedisLookupResult;
}

/** The lookups a command's reply yields, in order; undefined when the command or reply is not a cache read. */
function redisCacheLookups(command: string, args: readonly unknown[], reply: unknown): Lookup[] | undefined {
  const lookups: Lookup[] = [];
  const read = cacheReadOf(command);
  const counted = read !== undefined && read(args, reply, (pattern, result) => lookups.push({ pattern, result }));
  if (!counted) expect(lookups).toEqual([]);
  return counted ? lookups : undefined;
}

describe('keyPattern', () => {
  it.each([
    ['user:42', 'user'],
    ['session:abc:def', 'session'],
    [Buffer.from('feed:7'), 'feed'],
    ['app:user:42', 'app:user'],
    ['app:session:9', 'app:session'],
    ['app:user:42:profile', 'app:user'],
    ['app:orders_v2:123', 'app:orders_v2'],
    ['app:user:5f2b9c1e-aaaa-bbbb-cccc-0123456789ab', 'app:user'],
    ['app:user', 'app'],
    ['user:alice', 'user'],
    ['user:alice:cart', 'user'],
    ['tenant:acme:user:42', 'tenant'],
    ['app:orders_v2:by-day:2026-12-01', 'app'],
    ['app:5f2b9c1e-aaaa-bbbb-cccc-0123456789ab:x', 'app'],
    ['app:deadbeef:7', 'app'],
    ['app:x1y2z3:7', 'app'],
    ['app:someone@example.com:7', 'app'],
    ['app:_private:7', 'app'],
    [`app:${'n'.repeat(33)}:7`, 'app'],
    [`${'n'.repeat(40)}:${'m'.repeat(30)}:7`, 'n'.repeat(40)],
    [`app:user:${'9'.repeat(5000)}`, 'app:user'],
    ['no-colon-here', NO_KEY_PATTERN],
    [':leading', NO_KEY_PATTERN],
    ['12345:profile', ID_KEY_PATTERN],
    ['5f2b9c1e-aaaa-bbbb-cccc-0123456789ab:x', ID_KEY_PATTERN],
    ['DEADBEEF01:x', ID_KEY_PATTERN],
    ['cafe:menu', 'cafe'],
    ['DeadBeef01:x', 'DeadBeef01'],
    [`${'a'.repeat(80)}:x`, NO_KEY_PATTERN],
    [42, NO_KEY_PATTERN],
  ])('%s -> %s', (key, pattern) => {
    expect(keyPattern(key)).toBe(pattern);
  });

  it('skips the tiered cache keys, which the tiered cache counts itself', () => {
    expect(keyPattern(`${TIERED_KEY_PREFIX}:users:v:1`)).toBeUndefined();
  });
});

describe('looksLikeId', () => {
  // The definition it implements, as a regular expression: all digits, or 8+ of digits, '-' and hex letters of one case.
  const ID = /^(?:\d+|[0-9a-f-]{8,}|[0-9A-F-]{8,})$/;

  it('agrees with its definition on generated segments', () => {
    const alphabet = '0123456789abcdefABCDEFgzGZ-_.';
    let seed = 7;
    const next = (bound: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % bound;
    };
    for (let sample = 0; sample < 20_000; sample += 1) {
      const length = next(14);
      let segment = '';
      // Mostly one character class per segment, so long ids are generated too.
      const pool = [alphabet.slice(0, 10), alphabet.slice(0, 16) + '-', alphabet.slice(0, 10) + 'ABCDEF-', alphabet][next(4)]!;
      for (let index = 0; index < length; index += 1) segment += pool[next(pool.length)];
      expect(looksLikeId(segment), JSON.stringify(segment)).toBe(ID.test(segment));
    }
  });
});

describe('cacheReadOf', () => {
  it('counts single-key reads by their reply', () => {
    for (const command of ['GET', 'get', 'getex', 'GETDEL']) {
      expect(redisCacheLookups(command, ['user:1'], 'x')).toEqual([{ pattern: 'user', result: 'hit' }]);
      expect(redisCacheLookups(command, ['user:1'], null)).toEqual([{ pattern: 'user', result: 'miss' }]);
    }
    expect(redisCacheLookups('hget', ['user:1', 'name'], null)).toEqual([{ pattern: 'user', result: 'miss' }]);
  });

  it('counts each key of MGET and each field of HMGET', () => {
    expect(redisCacheLookups('mget', ['user:1', 'post:2', 'user:3'], ['a', null, Buffer.from('c')])).toEqual([
      { pattern: 'user', result: 'hit' }, { pattern: 'post', result: 'miss' }, { pattern: 'user', result: 'hit' },
    ]);
    expect(redisCacheLookups('hmget', ['user:1', 'name', 'mail'], [null, 'm'])).toEqual([
      { pattern: 'user', result: 'miss' }, { pattern: 'user', result: 'hit' },
    ]);
  });

  it('counts HGETALL as a hit when the hash has fields', () => {
    expect(redisCacheLookups('hgetall', ['user:1'], {})).toEqual([{ pattern: 'user', result: 'miss' }]);
    expect(redisCacheLookups('hgetall', ['user:1'], { name: 'n' })).toEqual([{ pattern: 'user', result: 'hit' }]);
    expect(redisCacheLookups('hgetall', ['user:1'], ['name', 'n'])).toEqual([{ pattern: 'user', result: 'hit' }]);
  });

  it('ignores writes, other reads and malformed replies', () => {
    expect(redisCacheLookups('set', ['user:1', 'x'], 'OK')).toBeUndefined();
    expect(redisCacheLookups('lrange', ['list:1', 0, -1], [])).toBeUndefined();
    expect(redisCacheLookups('mget', ['user:1', 'user:2'], ['only one'])).toBeUndefined();
    expect(redisCacheLookups('get', [], null)).toBeUndefined();
  });
});
