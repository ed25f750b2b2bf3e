/**
 * What the index advisor proposes and what it found out about it. Pure data:
 * the agent's connection (agentQueries/) verifies a candidate, recording keeps
 * the outcome, the report publishes it.
 */
import { quoteIdentifier } from '../parse/identifiers';

/** One key column of a candidate index: `total DESC` when the ORDER BY sorts that way. */
export interface IndexColumn {
  readonly name: string;
  readonly descending: boolean;
}

/** A constant predicate that can make the index partial; carries no value (IS NULL, IS NOT NULL, a boolean). */
export interface PartialPredicate {
  readonly column: string;
  readonly test: 'IS NULL' | 'IS NOT NULL' | 'IS TRUE' | 'IS FALSE';
}

export interface IndexCandidate {
  /** The table as the statement names it (schema-qualified when it is). */
  readonly table: string;
  /** Equality columns first, then one range column or the ORDER BY columns; at most 3. */
  readonly columns: readonly IndexColumn[];
  /** How many leading columns are compared with `=` (or `IN`): their order does not matter to a lookup. */
  readonly equalityColumns: number;
  /** 1 when the column after them is a range condition's (it filters); 0 when the rest only orders. */
  readonly rangeColumns: number;
  readonly where: readonly PartialPredicate[];
}

/** How a suggestion's cost after was obtained. */
export type AdviceMethod = 'hypopg' | 'statistics';

export interface IndexAdvice {
  readonly candidate: IndexCandidate;
  /** `CREATE INDEX CONCURRENTLY ON …`, ready to run (outside a transaction block). */
  readonly ddl: string;
  /** The statement's estimated total cost (planner units) without and with the index. */
  readonly costBefore: number;
  readonly costAfter: number;
  readonly method: AdviceMethod;
}

export function quoteQualified(name: string): string {
  return name.split('.').map(quoteIdentifier).join('.');
}

/** `ON orders (customer_id, total DESC) WHERE shipped_at IS NULL`: the part after `CREATE INDEX`. */
export function indexDefinition(candidate: IndexCandidate): string {
  const columns = candidate.columns.map((column) => `${quoteIdentifier(column.name)}${column.descending ? ' DESC' : ''}`).join(', ');
  const where = candidate.where.map((predicate) => `${quoteIdentifier(predicate.column)} ${predicate.test}`).join(' AND ');
  return `ON ${quoteQualified(candidate.table)} (${columns})${where === '' ? '' : ` WHERE ${where}`}`;
}

/** The statement to run: built without an index name, so PostgreSQL picks a free one. */
export function createIndexStatement(candidate: IndexCandidate): string {
  return `CREATE INDEX CONCURRENTLY ${indexDefinition(candidate)};`;
}

/** What HypoPG is handed: plain CREATE INDEX (it refuses CONCURRENTLY). */
export function hypotheticalIndexStatement(candidate: IndexCandidate): string {
  return `CREATE INDEX ${indexDefinition(candidate)}`;
}
