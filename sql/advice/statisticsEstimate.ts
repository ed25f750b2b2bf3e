/**
 * Without HypoPG: what an index would cost, estimated from `pg_stats` and the
 * table's size with the planner's own cost constants and default
 * selectivities. Unverified by construction: the report says so.
 */
import type { IndexCandidate } from './indexCandidate';

export interface ColumnStatistics {
  readonly nullFraction: number;
  /** pg_stats.n_distinct: a count when positive, minus a fraction of the rows when negative. */
  readonly distinct: number;
}

export interface TableFigures {
  readonly rows: number;
  readonly pages: number;
}

// PostgreSQL's defaults (selfuncs.h, costsize.c).
const DEFAULT_EQUALITY_SELECTIVITY = 0.005;
const DEFAULT_RANGE_SELECTIVITY = 1 / 3;
const RANDOM_PAGE_COST = 4;
const CPU_TUPLE_COST = 0.01;
const CPU_INDEX_TUPLE_COST = 0.005;
const CPU_OPERATOR_COST = 0.0025;

function equalitySelectivity(stats: ColumnStatistics | undefined, rows: number): number {
  if (stats === undefined) return DEFAULT_EQUALITY_SELECTIVITY;
  const distinct = stats.distinct >= 0 ? stats.distinct : -stats.distinct * rows;
  return distinct <= 0 ? DEFAULT_EQUALITY_SELECTIVITY : (1 - stats.nullFraction) / distinct;
}

function predicateSelectivity(test: IndexCandidate['where'][number]['test'], stats: ColumnStatistics | undefined): number {
  if (test === 'IS NULL') return stats?.nullFraction ?? DEFAULT_EQUALITY_SELECTIVITY;
  if (test === 'IS NOT NULL') return 1 - (stats?.nullFraction ?? DEFAULT_EQUALITY_SELECTIVITY);
  return 0.5;
}

/** Fraction of the table's rows the index hands back. */
export function candidateSelectivity(candidate: IndexCandidate, table: TableFigures, statsOf: (column: string) => ColumnStatistics | undefined): number {
  let selectivity = 1;
  candidate.columns.forEach((column, position) => {
    if (position < candidate.equalityColumns) selectivity *= equalitySelectivity(statsOf(column.name), table.rows);
  });
  // A range column after the equality ones narrows further; ORDER BY columns do not.
  if (candidate.rangeColumns > 0) selectivity *= DEFAULT_RANGE_SELECTIVITY;
  for (const predicate of candidate.where) selectivity *= predicateSelectivity(predicate.test, statsOf(predicate.column));
  return Math.min(1, selectivity);
}

/** Cost of reading the matching rows through the index: a descent, the index tuples, one heap page per row at most. */
export function indexScanCost(selectivity: number, table: TableFigures): number {
  const matched = Math.max(1, selectivity * table.rows);
  const descent = Math.ceil(Math.log2(Math.max(2, table.rows))) * CPU_OPERATOR_COST;
  const heapPages = Math.min(matched, Math.max(1, table.pages));
  return descent + matched * (CPU_INDEX_TUPLE_COST + CPU_TUPLE_COST) + heapPages * RANDOM_PAGE_COST;
}

/**
 * The statement's cost with the index in place of the scan it replaces: the
 * plan's total, less the scan node's cost, plus the index scan's.
 */
export function estimatedCostAfter(costBefore: number, scanCost: number, candidate: IndexCandidate, table: TableFigures, statsOf: (column: string) => ColumnStatistics | undefined): number {
  const replaced = indexScanCost(candidateSelectivity(candidate, table, statsOf), table);
  return Math.max(replaced, costBefore - scanCost + replaced);
}
