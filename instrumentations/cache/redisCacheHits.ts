/**
 * Redis used as a cache: hits and misses of read commands per key pattern
 * (the first segment before `:`, bounded), from the command and its reply.
 * Key values never leave the process: only the pattern is kept, and
 * id-looking segments are folded.
 */
import { guarded } from '../../agent/agentErrors';
import { redisPatternCounters } from './cacheStatistics';
import { TIERED_KEY_PREFIX } from './tieredKeys';

export type RedisLookupResult = 'hit' | 'miss';

export interface RedisCacheLookup {
  readonly pattern: string;
  readonly result: RedisLookupResult;
}

/** Keys without a `:` segment. */
export const NO_KEY_PATTERN = '(none)';
/** A first segment that looks like an identifier (digits, hex, uuid): never a label. */
export const ID_KEY_PATTERN = '(id)';

const MAX_PATTERN_LENGTH = 64;
const ID_SEGMENT = /^(?:\d+|[0-9a-f-]{8,}|[0-9A-F-]{8,})$/;

function keyText(key: unknown): string | undefined {
  if (typeof key === 'string') return key;
  if (Buffer.isBuffer(key)) return key.toString('utf8', 0, MAX_PATTERN_LENGTH + 1);
  return undefined;
}

/** The bounded pattern of a key, or undefined for keys that are not counted (the tiered cache's own). */
export function keyPattern(key: unknown): string | undefined {
  const text = keyText(key);
  if (text === undefined) return NO_KEY_PATTERN;
  const colon = text.indexOf(':');
  if (colon <= 0 || colon > MAX_PATTERN_LENGTH) return NO_KEY_PATTERN;
  const segment = text.slice(0, colon);
  if (segment === TIERED_KEY_PREFIX) return undefined;
  return ID_SEGMENT.test(segment) ? ID_KEY_PATTERN : segment;
}

function isMissing(reply: unknown): boolean {
  return reply === null || reply === undefined;
}

function lookup(key: unknown, found: boolean): RedisCacheLookup[] {
  const pattern = keyPattern(key);
  return pattern === undefined ? [] : [{ pattern, result: found ? 'hit' : 'miss' }];
}

/** Hash replies: ioredis turns HGETALL into an object; a raw reply is a flat array. Empty means no key. */
function hasFields(reply: unknown): boolean {
  if (Array.isArray(reply)) return reply.length > 0;
  return typeof reply === 'object' && reply !== null && Object.keys(reply).length > 0;
}

const CACHE_READ_COMMANDS = new Set(['get', 'getex', 'getdel', 'hget', 'mget', 'hmget', 'hgetall']);

/** Commands whose reply says whether a key was found (ioredis names commands in lower case). */
export function isCacheReadCommand(commandName: string): boolean {
  return CACHE_READ_COMMANDS.has(commandName) || CACHE_READ_COMMANDS.has(commandName.toLowerCase());
}

/**
 * What a read command found, per key: GET, GETEX, GETDEL, HGET (one key),
 * MGET (one result per key), HMGET (one result per field of one key),
 * HGETALL (hit when the hash has fields). Undefined for other commands or
 * replies that do not have the expected shape (errors).
 */
export function redisCacheLookups(commandName: string, args: readonly unknown[], reply: unknown): RedisCacheLookup[] | undefined {
  switch (commandName.toLowerCase()) {
    case 'get':
    case 'getex':
    case 'getdel':
    case 'hget':
      return args.length === 0 ? undefined : lookup(args[0], !isMissing(reply));
    case 'mget':
      if (!Array.isArray(reply) || reply.length !== args.length) return undefined;
      return args.flatMap((key, index) => lookup(key, !isMissing(reply[index])));
    case 'hmget':
      if (!Array.isArray(reply) || args.length === 0) return undefined;
      return reply.flatMap((field) => lookup(args[0], !isMissing(field)));
    case 'hgetall':
      return args.length === 0 ? undefined : lookup(args[0], hasFields(reply));
    default:
      return undefined;
  }
}

/**
 * Counts one finished read command in `querylens_cache_requests_total`
 * (`cache_layer="redis"`, `cache_name` = key pattern). For the ioredis
 * instrumentation: call it with the command's name, its arguments (keys
 * first, as sent) and the reply, on success only. Never throws.
 */
export function recordRedisCacheReply(commandName: string, args: readonly unknown[], reply: unknown): void {
  guarded('redis-cache-hits', () => {
    const lookups = redisCacheLookups(commandName, args, reply);
    if (lookups === undefined) return;
    for (const { pattern, result } of lookups) redisPatternCounters(pattern).count(result);
  }, undefined);
}
