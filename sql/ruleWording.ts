/**
 * How rule messages name what they saw (tables, clauses, operands, counts)
 * without quoting values, and where a hit points.
 */
import type { RuleHit } from './rule';
import { columnRefParts, fromTables, withoutCasts } from './parse/nodeReaders';
import { asNode, type Fields } from './parse/parseTree';
import type { OperandValue } from './parse/valueReaders';

/** `"users", "orders"` for messages; '' when the list is empty. */
export function quotedList(items: readonly string[]): string {
  return [...new Set(items)].map((item) => `"${item}"`).join(', ');
}

/** How a message names where an operand's value came from, without the value. */
export function operandOrigin(operand: OperandValue): string {
  return operand.origin === 'literal' ? 'a literal' : `a bound value ($${operand.param})`;
}

/** How messages name a predicate clause. */
export function clauseLabel(clause: string): string {
  return clause === 'quals' ? 'JOIN … ON' : clause === 'havingClause' ? 'HAVING' : 'WHERE';
}

/** A hit at the node's location, when the tree gives one. */
export function hitAt(message: string, fields: Fields): RuleHit {
  const location = fields['location'];
  return typeof location === 'number' && location >= 0 ? { message, location } : { message };
}

/**
 * A whole count with `,` between thousands, as `toLocaleString('en-US')`
 * writes it but without loading ICU's locale data (tens of ms at the agent's
 * start, where a rule's description calls this). Fractions are rounded.
 */
export function formatCount(count: number): string {
  const digits = String(Math.round(Math.abs(count))).replace(/\B(?=(\d{3})+$)/g, ',');
  return count <= -0.5 ? `-${digits}` : digits;
}

/** How a message names an operand: `column "email"` for a column (casts looked through), else `an expression`. */
export function operandLabel(node: unknown): string {
  const columnRef = asNode(withoutCasts(node), 'ColumnRef');
  return columnRef === undefined ? 'an expression' : `column "${columnRefParts(columnRef).join('.')}"`;
}

/** How messages name the tables of a FROM list: `"users", "orders"`, or `fallback` when it reads none by name. */
export function fromListLabel(fromItems: readonly unknown[], fallback: string): string {
  const tables = quotedList(fromTables(fromItems).map((from) => from.table));
  return tables === '' ? fallback : tables;
}
