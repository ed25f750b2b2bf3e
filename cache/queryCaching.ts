/**
 * Query-result caching with write-driven invalidation (`cache.query`,
 * `cache.wrapQueries`). A read's rows are kept under a hash of its text and
 * parameter values, tagged with every table it reads (from the agent's parse
 * tree); every write the instrumented pg sees, from any pool or client of the
 * process, invalidates the tags of the tables it changed once it is
 * committed (instrumentations/pg/committedWrites.ts), in every instance
 * through the tiered cache's own Redis invalidation. Statements the engine
 * cannot vouch for are run uncached, and writes it cannot attribute
 * invalidate every query entry (statementCacheability.ts).
 */
import { hash } from 'node:crypto';
import { onDataChange } from '../core/dataChanges';
import { encodeValues } from '../core/hashing';
import type { TableWrites } from '../core/statementAnalysis';
import { lookupStatement } from '../core/statementLookup';
import type { CacheCounters } from '../instrumentations/cacheTelemetry/cacheStatistics';
import { currentLoaderScope, type StatementTrail } from '../instrumentations/cacheTelemetry/loaderScope';
import { uncommittedWrites } from '../instrumentations/pg/committedWrites';
import { InvalidationRounds } from './invalidationRounds';
import { QueryTrail } from './queryTrail';
import { rowCodec } from './rowCodec';
import { type BypassReason, readTags, readsOwnWrites, tableTag, writeTags } from './statementCacheability';
import type { CacheSerializer, StorePolicy } from './tieredCache';
import type { LoadOutcome } from './loadDeadlines';

/** A pg Pool or Client, or anything with the same `query(text, values)`. */
export interface QueryRunner {
  query(text: string, values?: unknown[]): Promise<QueryResultLike>;
}

interface QueryResultLike {
  readonly rows: unknown[];
  readonly rowCount?: number | null;
  readonly command?: string;
}

/** What `cache.query` answers: the fields of pg's result that survive a cache (`fields` and the parser do not). */
export interface QueryAnswer<R> {
  readonly rows: R[];
  readonly rowCount: number | null;
  readonly command: string;
  /** True when the rows are past their TTL, served within the grace period because the reload failed or was slow. */
  readonly stale?: true;
}

export interface QueryCacheOptions {
  readonly ttlMs?: number;
  /** Tables the result also depends on, that the text does not name: the base tables of a view, those a function reads. */
  readonly tables?: readonly string[];
  readonly tags?: readonly string[];
}

export interface QueryCachingHost {
  readonly counters: CacheCounters;
  readonly defaultTtlMs: number;
  /** Drops the tag's entries from this instance's memory and running loads, at once. */
  dropTagLocally(tag: string): void;
  /** `trail` hears the loader's statements (undefined: the enclosing load's, if any). */
  load(key: string, loader: () => unknown, policy: StorePolicy, trail?: StatementTrail): Promise<LoadOutcome>;
  /** False for a cache with no Redis layer: then nothing waits for Redis. */
  readonly sharedThroughRedis: boolean;
  /** True while the tag's removal from Redis failed and waits for its replay: Redis may hand out its old entries. */
  awaitsReplay(tag: string): boolean;
  /** Removes the tags' entries from Redis and tells the other instances; `told` hears each tag once done; never rejects. */
  invalidateTagsInRedis(tags: readonly string[], told: (tag: string) => void): Promise<void>;
}

/** Keys of query entries start with it; other keys should not. */
export const QUERY_KEY_PREFIX = '@sql:';

/** Parameter values longer than this (in their encoding) are not hashed into a key: the statement runs uncached. */
const MAX_VALUES_LENGTH = 64 * 1024;

const codec = rowCodec<unknown>() as CacheSerializer<unknown>;

function answerOf<R>(result: QueryResultLike): QueryAnswer<R> {
  return { rows: result.rows as R[], rowCount: result.rowCount ?? null, command: result.command ?? '' };
}

function extraTags(options: QueryCacheOptions): string[] {
  return [...(options.tables ?? []).map(tableTag), ...options.tags ?? []];
}

export class QueryCaching {
  #stopListening: (() => void) | undefined;
  /** Written tables not yet removed from Redis: a read of them waits, or goes to the database. */
  readonly #rounds: InvalidationRounds;

  constructor(private readonly host: QueryCachingHost) {
    this.#rounds = new InvalidationRounds((tags, told) => host.invalidateTagsInRedis(tags, told));
  }

  async query<R>(runner: QueryRunner, text: string, values: readonly unknown[] | undefined, options: QueryCacheOptions = {}): Promise<QueryAnswer<R>> {
    const analysis = lookupStatement(text);
    const tags = analysis === undefined ? undefined : readTags(analysis);
    const allTags = tags === undefined ? undefined : [...tags, ...extraTags(options)];
    const rounds = allTags === undefined || allTags.some((tag) => this.host.awaitsReplay(tag)) ? undefined : this.#rounds.covering(allTags);
    const reason: BypassReason | undefined = analysis === undefined ? 'not_analysed'
      : tags === undefined ? 'uncacheable'
        : readsOwnWrites(tags, uncommittedWrites(runner)) ? 'uncommitted'
          : rounds === undefined ? 'invalidating' : undefined;
    const encoded = reason === undefined ? encodeValues(text, values, text.length + MAX_VALUES_LENGTH) : undefined;
    const run = (): Promise<QueryResultLike> => runner.query(text, values === undefined ? undefined : [...values]);
    if (allTags === undefined || rounds === undefined || encoded === undefined) {
      this.host.counters.countEvent(reason === undefined ? 'bypass_uncacheable' : `bypass_${reason}`);
      return answerOf<R>(await run());
    }
    this.#listen();
    // An enclosing wrapped function depends on these tables even when this read is a hit.
    const trail = currentLoaderScope()?.trail;
    if (trail instanceof QueryTrail) trail.read(allTags);
    if (rounds.length > 0) await Promise.all(rounds);
    const key = `${QUERY_KEY_PREFIX}${hash('sha256', encoded, 'base64url')}`;
    const outcome = await this.host.load(key, () => run().then(answerOf), {
      codec,
      ttlMs: () => options.ttlMs ?? this.host.defaultTtlMs,
      tags: () => allTags,
      knownTags: allTags,
    });
    // The stored answer is shared by every caller: a stale one is a copy that says so.
    const answer = outcome.value as QueryAnswer<R>;
    return outcome.stale ? { ...answer, stale: true } : answer;
  }

  /** `fn` cached under `keyFn(...args)`, tagged with what its statements read; not cached when one of them could not be. */
  wrap<A extends unknown[], T>(fn: (...args: A) => T | Promise<T>, keyFn: (...args: A) => string, options: QueryCacheOptions = {}): (...args: A) => Promise<T> {
    return async (...args: A) => {
      this.#listen();
      const trail = new QueryTrail(currentLoaderScope()?.trail);
      const extra = extraTags(options);
      const { value } = await this.host.load(keyFn(...args), () => fn(...args), {
        codec,
        ttlMs: () => options.ttlMs ?? this.host.defaultTtlMs,
        tags: () => {
          const read = trail.tags();
          return read === undefined ? undefined : [...read, ...extra];
        },
        knownTags: 'any',
      }, trail);
      return value as T;
    };
  }

  close(): void {
    this.#stopListening?.();
    this.#stopListening = undefined;
  }

  /** Listens for the app's writes from the first cached read on: a cache that never caches queries costs writes nothing. */
  #listen(): void {
    this.#stopListening ??= onDataChange((writes) => this.#invalidate(writes));
  }

  #invalidate(writes: TableWrites): void {
    const event = writes === 'unknown' ? 'unattributed_write_invalidation' : 'write_invalidation';
    for (const tag of writeTags(writes)) {
      this.host.counters.countEvent(event);
      this.host.dropTagLocally(tag);
      if (this.host.sharedThroughRedis) this.#rounds.add(tag);
    }
  }
}
