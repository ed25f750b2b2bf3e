/**
 * What the statements of one wrapped function (`cache.wrapQueries`) read: the
 * tags of its entry, or the verdict that it must not be cached (one of its
 * statements was a write or another uncacheable statement). Passed up to an
 * enclosing wrapped function, whose entry depends on the same tables.
 */
import type { StatementAnalysis } from '../core/statementAnalysis';
import type { StatementTrail } from '../instrumentations/cacheTelemetry/loaderScope';
import { ALL_QUERIES_TAG, readTags } from './statementCacheability';

export class QueryTrail implements StatementTrail {
  readonly #tags = new Set<string>([ALL_QUERIES_TAG]);
  #cacheable = true;

  constructor(private readonly parent: StatementTrail | undefined) {}

  statement(analysis: StatementAnalysis | undefined): void {
    const tags = analysis === undefined ? undefined : readTags(analysis);
    if (tags === undefined) this.#cacheable = false;
    else this.#add(tags);
    this.parent?.statement(analysis);
  }

  /** Tags of a read answered from the cache, which ran no statement but still depends on those tables. */
  read(tags: readonly string[]): void {
    this.#add(tags);
    if (this.parent instanceof QueryTrail) this.parent.read(tags);
  }

  #add(tags: readonly string[]): void {
    for (const tag of tags) this.#tags.add(tag);
  }

  /** The entry's tags, or undefined when it must not be cached. */
  tags(): readonly string[] | undefined {
    return this.#cacheable ? [...this.#tags] : undefined;
  }
}
