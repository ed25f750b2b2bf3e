/**
 * Small readers of parse tree nodes: names, tables, columns, operators and
 * column types, so that each rule says only what it looks for.
 */
import { SKIP_CHILDREN, asNode, child, isObject, visitTree, type Fields } from './parseTree';

export function str(fields: Fields, name: string): string | undefined {
  const value = fields[name];
  return typeof value === 'string' ? value : undefined;
}

export function list(fields: Fields, name: string): readonly unknown[] {
  const value = fields[name];
  return Array.isArray(value) ? value : [];
}

/** `[{String:{sval:'pg_catalog'}},{String:{sval:'now'}}]` → `['pg_catalog', 'now']`. */
export function names(items: readonly unknown[]): readonly string[] {
  return items.flatMap((item) => {
    const text = asNode(item, 'String');
    const sval = text === undefined ? undefined : str(text, 'sval');
    return sval === undefined ? [] : [sval];
  });
}

/** A FuncCall's name without its schema, lower case: `pg_catalog.pg_sleep(…)` → `pg_sleep`. */
export function functionName(funcCall: Fields): string {
  const parts = names(list(funcCall, 'funcname'));
  return (parts[parts.length - 1] ?? '').toLowerCase();
}

/** The parts of a ColumnRef: `u.email` → `['u', 'email']`; `t.*` → `['t', '*']`. */
export function columnRefParts(columnRef: Fields): readonly string[] {
  return list(columnRef, 'fields').map((item) => (asNode(item, 'A_Star') !== undefined ? '*' : (names([item])[0] ?? '')));
}

/** The column a ColumnRef names, without its table qualifier. */
export function columnName(columnRef: Fields): string {
  const parts = columnRefParts(columnRef);
  return parts[parts.length - 1] ?? '';
}

/** The table qualifier of a ColumnRef (`u` in `u.email`), when written. */
export function columnQualifier(columnRef: Fields): string | undefined {
  const parts = columnRefParts(columnRef);
  return parts.length >= 2 ? parts[parts.length - 2] : undefined;
}

/** `schema.table` or `table`, as written in a RangeVar. */
export function tableName(rangeVar: Fields): string {
  const schema = str(rangeVar, 'schemaname');
  const relation = str(rangeVar, 'relname') ?? '';
  return schema === undefined ? relation : `${schema}.${relation}`;
}

/** The name a FROM item is referred to by: its alias, else its table name. */
export function referenceName(rangeVar: Fields): string {
  const alias = rangeVar['alias'];
  const aliasName = isObject(alias) ? str(alias, 'aliasname') : undefined;
  return aliasName ?? str(rangeVar, 'relname') ?? '';
}

export interface FromTable {
  readonly table: string;
  /** Alias or table name: what column qualifiers use. */
  readonly reference: string;
  readonly fields: Fields;
}

/**
 * The tables a FROM list reads at its own level: through joins, but not
 * into subqueries (they have FROM lists of their own).
 */
export function fromTables(fromItems: readonly unknown[]): readonly FromTable[] {
  return fromItems.flatMap((item): readonly FromTable[] => {
    const rangeVar = asNode(item, 'RangeVar');
    if (rangeVar !== undefined) return [{ table: tableName(rangeVar), reference: referenceName(rangeVar), fields: rangeVar }];
    const join = asNode(item, 'JoinExpr');
    return join === undefined ? [] : fromTables([join['larg'], join['rarg']]);
  });
}

/** An expression with any `::type` casts taken off: `'1 day'::interval` → `'1 day'`. */
export function withoutCasts(node: unknown): unknown {
  const cast = asNode(node, 'TypeCast');
  return cast === undefined ? node : withoutCasts(cast['arg']);
}

/** The operator of an A_Expr (`=`, `~~`, `+`, …). */
export function operatorName(aExpr: Fields): string {
  return names(list(aExpr, 'name')).join('.');
}

/** The ColumnRefs in an expression, not counting those inside its subqueries. */
export function columnRefs(expression: unknown): readonly Fields[] {
  const out: Fields[] = [];
  visitTree(expression, {
    node: (type, fields) => {
      if (type === 'ColumnRef') out.push(fields);
      return type === 'ColumnRef' || type === 'SubLink' ? SKIP_CHILDREN : undefined;
    },
  }, undefined);
  return out;
}

// Operators and A_Expr kinds that compare (rather than compute): a
// predicate's operands are filtered values, not arithmetic.
const COMPARISON_OPERATORS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=', '~~', '~~*', '!~~', '!~~*']);
const COMPARISON_KINDS = new Set(['AEXPR_IN', 'AEXPR_OP_ANY', 'AEXPR_OP_ALL', 'AEXPR_BETWEEN', 'AEXPR_NOT_BETWEEN']);

/** `=`, `<`, LIKE, IN, BETWEEN, `= ANY(…)`…: an A_Expr that compares its operands. */
export function isComparison(aExpr: Fields): boolean {
  const kind = str(aExpr, 'kind') ?? '';
  if (COMPARISON_KINDS.has(kind)) return true;
  return (kind === 'AEXPR_OP' || kind === 'AEXPR_LIKE' || kind === 'AEXPR_ILIKE') && COMPARISON_OPERATORS.has(operatorName(aExpr));
}

/**
 * `col = value` in either order, where one side is a bare column (casts
 * looked through) and the other holds no column: the column and the value.
 */
export function columnEquality(node: unknown): { readonly column: Fields; readonly value: unknown } | undefined {
  const aExpr = asNode(node, 'A_Expr');
  if (aExpr === undefined || str(aExpr, 'kind') !== 'AEXPR_OP' || operatorName(aExpr) !== '=') return undefined;
  for (const [side, other] of [[aExpr['lexpr'], aExpr['rexpr']], [aExpr['rexpr'], aExpr['lexpr']]]) {
    const column = asNode(withoutCasts(side), 'ColumnRef');
    if (column !== undefined && columnRefs(other).length === 0) return { column, value: other };
  }
  return undefined;
}

/** The type a ColumnDef (or ALTER … TYPE) names, without its schema: `int8`, `text`, `bigserial`. */
export function columnTypeName(columnDef: Fields): string {
  return names(list(child(columnDef, 'typeName') ?? {}, 'names')).at(-1) ?? '';
}

// serial types are int columns whose default is nextval() of a new sequence.
const SERIAL_TYPES = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);

export function isSerialColumn(columnDef: Fields): boolean {
  return SERIAL_TYPES.has(columnTypeName(columnDef));
}
