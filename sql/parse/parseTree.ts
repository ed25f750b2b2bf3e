/**
 * Reading libpg-query's JSON parse tree: the walk every rule shares, and the
 * small readers (names, constants, bound values, clause context) rules need
 * so that each rule says only what it looks for.
 */
import type { PgNode, RuleHit } from '../rule';

/** The fields of one node, without its `{ Type: … }` wrapper. */
export type Fields = { readonly [field: string]: unknown };

/** One node met by the walk: its type, its fields and how it was reached. */
export interface Visit {
  readonly type: string;
  readonly fields: Fields;
  /** The field of the nearest enclosing node that holds this one (`whereClause`, `targetList`, …); '' at the root. */
  readonly field: string;
  readonly parent: Visit | undefined;
}

// libpg-query writes most child nodes as `{ Type: {…} }` but inlines a few
// (the arms of a set operation, a statement's target table, a type name)
// without the wrapper; the field name is then the only clue to the type.
const INLINE_NODE_TYPES: Readonly<Record<string, string>> = {
  larg: 'SelectStmt',
  rarg: 'SelectStmt',
  relation: 'RangeVar',
  pktable: 'RangeVar',
  typeName: 'TypeName',
};

export function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{ SelectStmt: {…} }` → `['SelectStmt', {…}]`; anything else → undefined. */
export function unwrapNode(value: unknown): readonly [string, Fields] | undefined {
  if (!isObject(value)) return undefined;
  // Hot: runs for every object of every tree walked, so no key arrays or regex.
  let type: string | undefined;
  for (const key in value) {
    if (type !== undefined) return undefined;
    type = key;
  }
  if (type === undefined) return undefined;
  const first = type.charCodeAt(0);
  const inner = value[type];
  return first >= 65 && first <= 90 && isObject(inner) ? [type, inner] : undefined;
}

/** The fields of `value` when it is a node of `type`, else undefined. */
export function asNode(value: unknown, type: string): Fields | undefined {
  const node = unwrapNode(value);
  return node !== undefined && node[0] === type ? node[1] : undefined;
}

// Every rule walks the same statement tree, and value-dependent rules walk it
// again on each execution: the walk of a tree object is computed once and
// kept for as long as the tree itself is alive.
const walks = new WeakMap<object, readonly Visit[]>();
const byType = new WeakMap<object, ReadonlyMap<string, readonly Visit[]>>();

/** Every node of the tree in document order, each with its parent chain. */
export function walk(root: unknown): readonly Visit[] {
  if (typeof root !== 'object' || root === null) return [];
  const known = walks.get(root);
  if (known !== undefined) return known;
  const visits = walkTree(root);
  walks.set(root, visits);
  return visits;
}

function walkTree(root: object): readonly Visit[] {
  const out: Visit[] = [];
  const visitValue = (value: unknown, field: string, parent: Visit | undefined): void => {
    if (Array.isArray(value)) {
      for (const item of value) visitValue(item, field, parent);
      return;
    }
    if (!isObject(value)) return;
    const wrapped = unwrapNode(value);
    const inlineType = INLINE_NODE_TYPES[field];
    if (wrapped === undefined && inlineType === undefined) {
      // A plain struct such as `withClause` or `alias`: not a node, but nodes may live inside.
      for (const key in value) visitValue(value[key], key, parent);
      return;
    }
    const [type, fields] = wrapped ?? [inlineType, value];
    const visit: Visit = { type, fields, field, parent };
    out.push(visit);
    for (const key in fields) visitValue(fields[key], key, visit);
  };
  visitValue(root, '', undefined);
  return out;
}

export function nodesOfType(root: unknown, type: string): readonly Visit[] {
  if (typeof root !== 'object' || root === null) return [];
  let index = byType.get(root);
  if (index === undefined) {
    const groups = new Map<string, Visit[]>();
    for (const visit of walk(root)) {
      const group = groups.get(visit.type);
      if (group === undefined) groups.set(visit.type, [visit]);
      else group.push(visit);
    }
    index = groups;
    byType.set(root, index);
  }
  return index.get(type) ?? [];
}

/** The enclosing nodes, nearest first. */
export function* ancestors(visit: Visit): Generator<Visit> {
  for (let node = visit.parent; node !== undefined; node = node.parent) yield node;
}

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

/** `"users", "orders"` for messages; '' when the list is empty. */
export function quotedList(items: readonly string[]): string {
  return [...new Set(items)].map((item) => `"${item}"`).join(', ');
}

export type ConstValue =
  | { readonly kind: 'null' }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'boolean'; readonly value: boolean };

/**
 * The value of an A_Const. libpg-query omits protobuf defaults, so `0` is
 * `{ ival: {} }` and `false` is `{ boolval: {} }`.
 */
export function constValue(aConst: Fields): ConstValue {
  if (aConst['isnull'] === true) return { kind: 'null' };
  const inner = (name: string): Fields | undefined => {
    const value = aConst[name];
    return isObject(value) ? value : undefined;
  };
  const ival = inner('ival');
  if (ival !== undefined) return { kind: 'number', value: typeof ival['ival'] === 'number' ? ival['ival'] : 0 };
  const fval = inner('fval');
  if (fval !== undefined) return { kind: 'number', value: Number(str(fval, 'fval') ?? '0') };
  const boolval = inner('boolval');
  if (boolval !== undefined) return { kind: 'boolean', value: boolval['boolval'] === true };
  const sval = inner('sval');
  if (sval !== undefined) return { kind: 'string', value: str(sval, 'sval') ?? '' };
  const bsval = inner('bsval');
  return { kind: 'string', value: bsval === undefined ? '' : (str(bsval, 'bsval') ?? '') };
}

/** An expression with any `::type` casts taken off: `'1 day'::interval` → `'1 day'`. */
export function withoutCasts(node: unknown): unknown {
  const cast = asNode(node, 'TypeCast');
  return cast === undefined ? node : withoutCasts(cast['arg']);
}

/** What an operand is known to be worth: a literal in the text, or a bound value. */
export type OperandValue =
  | { readonly origin: 'literal'; readonly value: ConstValue }
  | { readonly origin: 'bound'; readonly value: unknown; readonly param: number };

/**
 * The value of an operand when the statement fixes it: an A_Const, or a
 * `$n` whose value is bound (casts are looked through). Undefined for
 * columns, expressions, and parameters without values.
 */
export function operandValue(node: unknown, values: readonly unknown[] | undefined): OperandValue | undefined {
  const bare = withoutCasts(node);
  const aConst = asNode(bare, 'A_Const');
  if (aConst !== undefined) return { origin: 'literal', value: constValue(aConst) };
  const param = asNode(bare, 'ParamRef');
  const number = param === undefined ? undefined : param['number'];
  if (typeof number !== 'number' || values === undefined || number < 1 || number > values.length) return undefined;
  return { origin: 'bound', value: values[number - 1], param: number };
}

/** A number from a literal or a bound value (pg sends numbers as numbers, bigints or numeric strings). */
export function numericValue(operand: OperandValue | undefined): number | undefined {
  if (operand === undefined) return undefined;
  const raw: unknown = operand.origin === 'literal' ? (operand.value.kind === 'number' ? operand.value.value : undefined) : operand.value;
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === 'bigint') return Number(raw);
  if (typeof raw === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(raw)) return Number(raw);
  return undefined;
}

/** A string from a literal or a bound value. */
export function stringValue(operand: OperandValue | undefined): string | undefined {
  if (operand === undefined) return undefined;
  if (operand.origin === 'bound') return typeof operand.value === 'string' ? operand.value : undefined;
  return operand.value.kind === 'string' ? operand.value.value : undefined;
}

/** How a message names where an operand's value came from, without the value. */
export function operandOrigin(operand: OperandValue): string {
  return operand.origin === 'literal' ? 'a literal' : `a bound value ($${operand.param})`;
}

/** The operator of an A_Expr (`=`, `~~`, `+`, …). */
export function operatorName(aExpr: Fields): string {
  return names(list(aExpr, 'name')).join('.');
}

// Fields that hold a filtering condition, and the statements that start a
// query level (a predicate inside a subquery belongs to the subquery).
const PREDICATE_FIELDS = new Set(['whereClause', 'quals', 'havingClause']);
const QUERY_LEVELS = new Set(['SelectStmt', 'UpdateStmt', 'DeleteStmt', 'InsertStmt']);

/** Which filtering clause of its query level a node sits in: `whereClause`, `quals` (JOIN … ON) or `havingClause`. */
export function predicateClause(visit: Visit): string | undefined {
  for (let node: Visit | undefined = visit; node !== undefined; node = node.parent) {
    if (PREDICATE_FIELDS.has(node.field)) return node.field;
    if (node.parent !== undefined && QUERY_LEVELS.has(node.parent.type)) return undefined;
  }
  return undefined;
}

/** How messages name a predicate clause. */
export function clauseLabel(clause: string): string {
  return clause === 'quals' ? 'JOIN … ON' : clause === 'havingClause' ? 'HAVING' : 'WHERE';
}

/** The SubLink kind a SELECT is the body of (`EXISTS_SUBLINK`, `EXPR_SUBLINK`, …), when it is one. */
export function subLinkKind(select: Visit): string | undefined {
  const parent = select.parent;
  return parent !== undefined && parent.type === 'SubLink' && select.field === 'subselect' ? str(parent.fields, 'subLinkType') : undefined;
}

/** The ColumnRefs in an expression, not counting those inside its subqueries. */
export function columnRefs(expression: unknown): readonly Fields[] {
  const out: Fields[] = [];
  const visitValue = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visitValue(item);
      return;
    }
    if (!isObject(value) || asNode(value, 'SubLink') !== undefined) return;
    const columnRef = asNode(value, 'ColumnRef');
    if (columnRef !== undefined) out.push(columnRef);
    else for (const child of Object.values(value)) visitValue(child);
  };
  visitValue(expression);
  return out;
}

/** A hit at the node's location, when the tree gives one. */
export function hitAt(message: string, fields: Fields): RuleHit {
  const location = fields['location'];
  return typeof location === 'number' && location >= 0 ? { message, location } : { message };
}

/** A message number, with thousands separators and no locale surprises. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** A field that holds a plain struct (an inlined node such as `relation`). */
export function child(fields: Fields, name: string): Fields | undefined {
  const value = fields[name];
  return isObject(value) ? value : undefined;
}

/** True inside a subquery, derived table or CTE body: a query whose rows feed another query, not the client. */
export function insideSubquery(visit: Visit): boolean {
  for (const node of ancestors(visit)) {
    if (node.type === 'SubLink' || node.type === 'RangeSubselect' || node.type === 'CommonTableExpr') return true;
  }
  return false;
}

/** How a message names an operand: `column "email"` for a column (casts looked through), else `an expression`. */
export function operandLabel(node: unknown): string {
  const columnRef = asNode(withoutCasts(node), 'ColumnRef');
  return columnRef === undefined ? 'an expression' : `column "${columnRefParts(columnRef).join('.')}"`;
}

export interface AlterTableCommand {
  /** The table altered, as written. */
  readonly table: string;
  /** `AT_AddColumn`, `AT_SetNotNull`, … */
  readonly subtype: string;
  readonly command: Fields;
  /** The table's RangeVar: commands carry no location of their own, the table name does. */
  readonly relation: Fields;
}

/** The commands of an `ALTER TABLE` statement (none for any other statement). */
export function alterTableCommands(stmt: PgNode): readonly AlterTableCommand[] {
  const alter = asNode(stmt, 'AlterTableStmt');
  if (alter === undefined || str(alter, 'objtype') !== 'OBJECT_TABLE') return [];
  const relation = child(alter, 'relation') ?? {};
  const table = tableName(relation);
  return list(alter, 'cmds').flatMap((item) => {
    const command = asNode(item, 'AlterTableCmd');
    return command === undefined ? [] : [{ table, subtype: str(command, 'subtype') ?? '', command, relation }];
  });
}

export interface UnfilteredWrite {
  readonly table: string;
  /** A hit at the target table's location. */
  readonly hit: (message: string) => RuleHit;
}

/**
 * The UPDATE or DELETE statements (top level or in a CTE) that have no WHERE
 * clause at all; `WHERE CURRENT OF cursor` counts as one.
 */
export function statementsWithoutWhere(stmt: PgNode, type: 'UpdateStmt' | 'DeleteStmt'): readonly UnfilteredWrite[] {
  return nodesOfType(stmt, type)
    .filter((write) => write.fields['whereClause'] === undefined)
    .map((write) => {
      const relation = child(write.fields, 'relation') ?? {};
      return { table: tableName(relation), hit: (message: string) => hitAt(message, relation) };
    });
}

/** The fields of any wrapped node, whatever its type (for its location). */
export function fieldsOf(value: unknown): Fields | undefined {
  return unwrapNode(value)?.[1];
}

/** The names a DROP statement removes, qualified as written: `DROP TABLE a.t, u` → `['a.t', 'u']`. */
export function droppedObjects(dropStmt: Fields): readonly string[] {
  return list(dropStmt, 'objects')
    .map((object) => names(list(asNode(object, 'List') ?? {}, 'items')).join('.'))
    .filter((name) => name !== '');
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

/** How messages name the tables of a FROM list: `"users", "orders"`, or `fallback` when it reads none by name. */
export function fromListLabel(fromItems: readonly unknown[], fallback: string): string {
  const tables = quotedList(fromTables(fromItems).map((from) => from.table));
  return tables === '' ? fallback : tables;
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
