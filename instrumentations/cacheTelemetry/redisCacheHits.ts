/**
 * Redis used as a cache: hits and misses of read commands per key pattern
 * (the first segment before `:`, and the second when an id follows it;
 * bounded), from the command and its reply.
 * Key values stay in the process: only the pattern is kept, id-looking
 * segments are folded, and a second segment is kept only in the place of a
 * type name, right before an id (a key that puts a word-like value there,
 * `user:alice:42`, shows it: docs/caches.md).
 */
import { reportAgentError } from '../../core/agentErrors';
import { redisPatternCounters, type CacheCounters } from './cacheStatistics';
import { TIERED_KEY_PREFIX } from './tieredKeys';

export type RedisLookupResult = 'hit' | 'miss';

/** Keys without a `:` segment. */
export const NO_KEY_PATTERN = '(none)';
/** A first segment that looks like an identifier (digits, hex, uuid): never a label. */
export const ID_KEY_PATTERN = '(id)';

const MAX_PATTERN_LENGTH = 64;
const MAX_NAME_LENGTH = 32;
const MAX_NAME_DIGITS = 2;
/** Hex ids, uuids and hashes are at least this long; shorter hex-looking words (`cafe`, `feed`) are names. */
const MIN_HEX_ID_LENGTH = 8;

function keyText(key: unknown): string | undefined {
  if (typeof key === 'string') return key;
  if (Buffer.isBuffer(key)) return key.toString('utf8', 0, MAX_PATTERN_LENGTH + 1);
  return undefined;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/**
 * True for a segment that looks like an identifier: all digits, or at least
 * eight of digits, `-` and hex letters of one case (uuids, hashes). A loop
 * rather than a regular expression: it runs for every Redis read, and most
 * segments fail on their first character.
 */
export function looksLikeId(segment: string): boolean {
  let digits = true;
  let lowerHex = true;
  let upperHex = true;
  for (let index = 0; index < segment.length; index += 1) {
    const code = segment.charCodeAt(index);
    const common = isDigit(code) || code === 0x2d;
    digits &&= isDigit(code);
    lowerHex &&= common || (code >= 0x61 && code <= 0x66);
    upperHex &&= common || (code >= 0x41 && code <= 0x46);
    if (!digits && !lowerHex && !upperHex) return false;
  }
  return segment.length > 0 && (digits || segment.length >= MIN_HEX_ID_LENGTH);
}

/**
 * True for a second segment kept in a pattern: a name such as `user`,
 * `orders_v2` or `by-day`, starting with a letter, of letters, digits, `_`
 * and `-`, at most two digits.
 */
function looksLikeName(segment: string): boolean {
  if (segment.length === 0 || segment.length > MAX_NAME_LENGTH) return false;
  let digits = 0;
  for (let index = 0; index < segment.length; index += 1) {
    const code = segment.charCodeAt(index);
    const letter = (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
    if (index === 0 && !letter) return false;
    if (isDigit(code)) digits += 1;
    else if (!letter && code !== 0x5f && code !== 0x2d) return false;
  }
  return digits <= MAX_NAME_DIGITS && !looksLikeId(segment);
}

/** The segment that starts at `from`, up to the next `:` or the end, read at most MAX_PATTERN_LENGTH + 1 characters far. */
function segmentAt(text: string, from: number): string {
  const colon = text.indexOf(':', from);
  return text.slice(from, Math.min(colon < 0 ? text.length : colon, from + MAX_PATTERN_LENGTH + 1));
}

/**
 * The bounded pattern of a key, or undefined for keys that are not counted
 * (the tiered cache's own): its first segment, and the second as well when it
 * is a name and an id follows it (`app:user:42` → `app:user`, `app:session:9f…`
 * → `app:session`). Only the id that follows tells a type name from a value:
 * in `user:alice:cart` nothing does, and the pattern stays `user`.
 */
export function keyPattern(key: unknown): string | undefined {
  const text = keyText(key);
  if (text === undefined) return NO_KEY_PATTERN;
  const colon = text.indexOf(':');
  if (colon <= 0 || colon > MAX_PATTERN_LENGTH) return NO_KEY_PATTERN;
  const first = text.slice(0, colon);
  if (first === TIERED_KEY_PREFIX) return undefined;
  if (looksLikeId(first)) return ID_KEY_PATTERN;
  const second = segmentAt(text, colon + 1);
  const next = colon + 1 + second.length;
  const typed = next <= MAX_PATTERN_LENGTH && text[next] === ':' && looksLikeName(second) && looksLikeId(segmentAt(text, next + 1));
  return typed ? text.slice(0, next) : first;
}

function isMissing(reply: unknown): boolean {
  return reply === null || reply === undefined;
}

/** Receives each key lookup of a read command; called on the hot path, so no list is built. */
export type RedisLookupVisitor = (pattern: string, result: RedisLookupResult) => void;

function visitLookup(key: unknown, found: boolean, visit: RedisLookupVisitor): void {
  const pattern = keyPattern(key);
  if (pattern !== undefined) visit(pattern, found ? 'hit' : 'miss');
}

/** Hash replies: ioredis turns HGETALL into an object; a raw reply is a flat array. Empty means no key. */
function hasFields(reply: unknown): boolean {
  if (Array.isArray(reply)) return reply.length > 0;
  return typeof reply === 'object' && reply !== null && Object.keys(reply).length > 0;
}

/** Reads what one cache-read command found, per key; false when the reply does not have the expected shape (errors). */
export type CacheReadReply = (args: readonly unknown[], reply: unknown, visit: RedisLookupVisitor) => boolean;

/** GET, GETEX, GETDEL, HGET: one key, found unless the reply is nil. */
const singleKey: CacheReadReply = (args, reply, visit) => {
  if (args.length === 0) return false;
  visitLookup(args[0], !isMissing(reply), visit);
  return true;
};

/** MGET: one result per key. */
const eachKey: CacheReadReply = (args, reply, visit) => {
  if (!Array.isArray(reply) || reply.length !== args.length) return false;
  for (let index = 0; index < args.length; index += 1) visitLookup(args[index], !isMissing(reply[index]), visit);
  return true;
};

/** HMGET: one result per field of one key. */
const eachField: CacheReadReply = (args, reply, visit) => {
  if (!Array.isArray(reply) || args.length === 0) return false;
  for (const field of reply) visitLookup(args[0], !isMissing(field), visit);
  return true;
};

/** HGETALL: a hit when the hash has fields. */
const wholeHash: CacheReadReply = (args, reply, visit) => {
  if (args.length === 0) return false;
  visitLookup(args[0], hasFields(reply), visit);
  return true;
};

const CACHE_READS = new Map<string, CacheReadReply>([
  ['get', singleKey], ['getex', singleKey], ['getdel', singleKey], ['hget', singleKey],
  ['mget', eachKey], ['hmget', eachField], ['hgetall', wholeHash],
]);

/**
 * How to read a command's reply as cache lookups, or undefined for commands
 * whose reply does not say whether a key was found. Looked up once per
 * command, when it is sent (ioredis names commands in lower case).
 */
export function cacheReadOf(commandName: string): CacheReadReply | undefined {
  return CACHE_READS.get(commandName) ?? CACHE_READS.get(commandName.toLowerCase());
}

/**
 * The last pattern counted and its counters. Consecutive reads mostly share a
 * key prefix (`user:`), and comparing the freshly cut pattern with the last
 * one is cheaper than hashing it for the label set and the counter map. Safe
 * to keep: a pattern's counters never change (labels and counters are never
 * dropped).
 */
let lastPattern: string | undefined;
let lastCounters: CacheCounters | undefined;

function countLookup(pattern: string, result: RedisLookupResult): void {
  if (pattern !== lastPattern || lastCounters === undefined) {
    lastCounters = redisPatternCounters(pattern);
    lastPattern = pattern;
  }
  lastCounters.count(result);
}

/**
 * Counts one finished read command in `querylens_cache_requests_total`
 * (`cache_layer="redis"`, `cache_name` = key pattern). For the ioredis
 * instrumentation: call it with the command's `cacheReadOf`, its arguments
 * (keys first, as sent) and the reply, on success only. Never throws.
 */
export function recordRedisCacheReply(read: CacheReadReply, args: readonly unknown[], reply: unknown): void {
  try {
    read(args, reply, countLookup);
  } catch (error) {
    reportAgentError('redis-cache-hits', error);
  }
}
