/**
 * Whether an index the table already has serves a candidate: a B-tree whose
 * leading columns are the candidate's equality columns (in any order) and
 * then its other columns in order. A partial or expression index covers
 * nothing here (its predicate or expression would have to be proven to match).
 */
import type { IndexCandidate } from './indexCandidate';

export interface ExistingIndex {
  /** Key columns in order; null for an expression. */
  readonly columns: readonly (string | null)[];
  readonly partial: boolean;
  /** `btree`, `hash`, `gin`, … */
  readonly method: string;
}

export function coversCandidate(index: ExistingIndex, candidate: IndexCandidate): boolean {
  if (index.partial || index.method !== 'btree' || index.columns.length < candidate.columns.length) return false;
  const equality = new Set(candidate.columns.slice(0, candidate.equalityColumns).map((column) => column.name));
  const leading = index.columns.slice(0, candidate.equalityColumns);
  if (!leading.every((column) => column !== null && equality.has(column))) return false;
  return candidate.columns.slice(candidate.equalityColumns).every((column, offset) => index.columns[candidate.equalityColumns + offset] === column.name);
}

export function isCovered(indexes: readonly ExistingIndex[], candidate: IndexCandidate): boolean {
  return indexes.some((index) => coversCandidate(index, candidate));
}
