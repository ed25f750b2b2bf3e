/**
 * Which statements the query cache may keep, and the tags it keeps them
 * under. Pure: the analysis comes from the agent's statement cache.
 */
import type { StatementAnalysis, TableWrites } from '../core/statementAnalysis';

/** Tag of every entry the query cache stores: a write it cannot attribute invalidates them all. */
export const ALL_QUERIES_TAG = '@sql';

/** Why a statement is run uncached. */
export type BypassReason = 'not_analysed' | 'uncacheable' | 'uncommitted' | 'invalidating';

/** `public.users` and `users` are one table for invalidation (the default search path); other schemas stay qualified. */
export function tableTag(table: string): string {
  return `@table:${table.startsWith('public.') ? table.slice('public.'.length) : table}`;
}

/**
 * The tags of a cacheable read (its tables, and the all-queries tag), or
 * undefined when its result may change without a write the agent sees:
 * writes, several statements, volatile functions, the clock, locking clauses,
 * unparsed text.
 */
export function readTags(analysis: StatementAnalysis): readonly string[] | undefined {
  // One analysis per distinct text, kept by the statement cache: its tags are worked out once.
  let tags = tagsByAnalysis.get(analysis);
  if (tags === undefined) {
    const cacheable = analysis.parsed && analysis.statementCount === 1 && analysis.readOnly
      && !analysis.hasVolatileFunctions && !analysis.readsClock;
    tags = cacheable ? [ALL_QUERIES_TAG, ...analysis.tables.map(tableTag)] : null;
    tagsByAnalysis.set(analysis, tags);
  }
  return tags ?? undefined;
}

const tagsByAnalysis = new WeakMap<StatementAnalysis, readonly string[] | null>();

/** The tags a committed write invalidates: worked out once per list of tables (one per distinct statement, from its analysis). */
export function writeTags(writes: TableWrites): readonly string[] {
  if (writes === 'unknown') return UNKNOWN_WRITE_TAGS;
  let tags = tagsByWrites.get(writes);
  if (tags === undefined) {
    tags = writes.map(tableTag);
    tagsByWrites.set(writes, tags);
  }
  return tags;
}

const UNKNOWN_WRITE_TAGS: readonly string[] = [ALL_QUERIES_TAG];
const tagsByWrites = new WeakMap<readonly string[], readonly string[]>();

/** True when an open transaction's uncommitted writes touch what the read depends on: it must see its own changes. */
export function readsOwnWrites(tags: readonly string[], uncommitted: TableWrites | undefined): boolean {
  if (uncommitted === undefined) return false;
  if (uncommitted === 'unknown') return true;
  return uncommitted.some((table) => tags.includes(tableTag(table)));
}
