/**
 * Candidate indexes for one SELECT, from its parse tree: per table of its
 * FROM list, the columns its top-level WHERE (and JOIN … ON) compares with
 * `=`, IN or `= ANY` (not NOT IN, `<> ANY` or `<>`: no index seeks those),
 * then one range column (`<`, `>`, BETWEEN), or else the ORDER BY
 * columns; at most 3 columns. Constant predicates that name no value
 * (`IS NULL`, `IS NOT NULL`, `= true`) give partial variants. Subqueries and
 * OR branches are not read: an index for them is not implied by the filter.
 */
import { asNode, isObject, type Fields } from '../parse/parseTree';
import { columnName, columnQualifier, columnRefs, fromTables, list, str, withoutCasts, type FromTable } from '../parse/nodeReaders';
import { callsAggregate } from '../parse/aggregateFunctions';
import type { PgNode } from '../rule';
import type { IndexCandidate, IndexColumn, PartialPredicate } from './indexCandidate';

export const MAX_INDEX_COLUMNS = 3;

interface TablePredicates {
  readonly equality: string[];
  readonly range: string[];
  readonly partial: PartialPredicate[];
}

const RANGE_OPERATORS = new Set(['<', '>', '<=', '>=']);
// `=`, `IN (…)` and `= ANY(…)` look a value up; the parser keeps the operator of
// the others (`NOT IN` is AEXPR_IN with `<>`, `!=` is `<>`), which an index cannot seek.
const EQUALITY_KINDS = new Set(['AEXPR_OP', 'AEXPR_IN', 'AEXPR_OP_ANY']);

/** The AND-ed terms of a condition (one term when it is not an AND). */
function conjuncts(condition: unknown): readonly unknown[] {
  const bool = asNode(condition, 'BoolExpr');
  if (bool === undefined || str(bool, 'boolop') !== 'AND_EXPR') return condition === undefined ? [] : [condition];
  return list(bool, 'args').flatMap(conjuncts);
}

function columnOf(node: unknown): Fields | undefined {
  return asNode(withoutCasts(node), 'ColumnRef');
}

function booleanConstant(node: unknown): boolean | undefined {
  const constant = asNode(withoutCasts(node), 'A_Const');
  if (constant === undefined || !isObject(constant['boolval'])) return undefined;
  return constant['boolval']['boolval'] === true;
}

/** Which FROM table a column belongs to: its qualifier, or the only table. */
function tableOf(column: Fields, tables: readonly FromTable[]): FromTable | undefined {
  const qualifier = columnQualifier(column);
  if (qualifier === undefined) return tables.length === 1 ? tables[0] : undefined;
  return tables.find((table) => table.reference === qualifier);
}

type Recorder = (column: Fields, kind: 'equality' | 'range' | PartialPredicate['test']) => void;

function readComparison(aExpr: Fields, record: Recorder): void {
  const kind = str(aExpr, 'kind');
  const operator = list(aExpr, 'name').map((item) => asNode(item, 'String')?.['sval']).join('');
  const left = columnOf(aExpr['lexpr']);
  const right = columnOf(aExpr['rexpr']);
  if (kind === 'AEXPR_OP' && operator === '=' && left !== undefined && right !== undefined) {
    // A join key: an index on either side can drive a nested loop.
    record(left, 'equality');
    record(right, 'equality');
    return;
  }
  const column = left ?? right;
  const other = left === undefined ? aExpr['lexpr'] : aExpr['rexpr'];
  if (column === undefined || columnRefs(other).length > 0) return;
  const bool = booleanConstant(other);
  if (kind === 'AEXPR_OP' && operator === '=' && bool !== undefined) record(column, bool ? 'IS TRUE' : 'IS FALSE');
  else if (operator === '=' && kind !== undefined && EQUALITY_KINDS.has(kind)) record(column, 'equality');
  else if ((kind === 'AEXPR_OP' && RANGE_OPERATORS.has(operator)) || kind === 'AEXPR_BETWEEN') record(column, 'range');
}

function readTerm(term: unknown, record: Recorder): void {
  const aExpr = asNode(term, 'A_Expr');
  if (aExpr !== undefined) {
    readComparison(aExpr, record);
    return;
  }
  const nullTest = asNode(term, 'NullTest');
  const tested = nullTest === undefined ? undefined : columnOf(nullTest['arg']);
  if (nullTest !== undefined && tested !== undefined) record(tested, str(nullTest, 'nulltesttype') === 'IS_NOT_NULL' ? 'IS NOT NULL' : 'IS NULL');
}

/** JOIN … ON conditions of the FROM list, through nested joins. */
function joinConditions(fromItems: readonly unknown[]): readonly unknown[] {
  return fromItems.flatMap((item) => {
    const join = asNode(item, 'JoinExpr');
    return join === undefined ? [] : [...joinConditions([join['larg'], join['rarg']]), ...conjuncts(join['quals'])];
  });
}

function predicatesByTable(select: Fields, tables: readonly FromTable[]): Map<FromTable, TablePredicates> {
  const byTable = new Map<FromTable, TablePredicates>(tables.map((table) => [table, { equality: [], range: [], partial: [] }]));
  const record: Recorder = (column, kind) => {
    const table = tableOf(column, tables);
    const predicates = table === undefined ? undefined : byTable.get(table);
    const name = columnName(column);
    if (predicates === undefined || name === '' || name === '*') return;
    if (kind === 'equality' || kind === 'range') {
      if (!predicates[kind].includes(name)) predicates[kind].push(name);
    } else if (!predicates.partial.some((predicate) => predicate.column === name)) {
      predicates.partial.push({ column: name, test: kind });
    }
  };
  for (const term of [...conjuncts(select['whereClause']), ...joinConditions(list(select, 'fromClause'))]) readTerm(term, record);
  return byTable;
}

/** Output names (`sum(total) AS spent`): an ORDER BY on them sorts what the SELECT computed, not the table's rows. */
function outputNames(select: Fields): Set<string> {
  return new Set(list(select, 'targetList').flatMap((item) => {
    const target = asNode(item, 'ResTarget');
    const name = target === undefined ? undefined : str(target, 'name');
    return name === undefined ? [] : [name];
  }));
}

/**
 * The ORDER BY as index columns, when every key is a plain column of `table`
 * and the rows are sorted as read (no GROUP BY, DISTINCT or aggregate in between).
 */
function orderColumns(select: Fields, table: FromTable, tables: readonly FromTable[]): IndexColumn[] {
  if (list(select, 'groupClause').length > 0 || list(select, 'distinctClause').length > 0 || callsAggregate(select['targetList'])) return [];
  const aliases = outputNames(select);
  const columns: IndexColumn[] = [];
  for (const item of list(select, 'sortClause')) {
    const sortBy = asNode(item, 'SortBy');
    const column = sortBy === undefined ? undefined : columnOf(sortBy['node']);
    if (sortBy === undefined || column === undefined || tableOf(column, tables) !== table) return [];
    if (columnQualifier(column) === undefined && aliases.has(columnName(column))) return [];
    columns.push({ name: columnName(column), descending: str(sortBy, 'sortby_dir') === 'SORTBY_DESC' });
  }
  return columns;
}

function ascending(names: readonly string[]): IndexColumn[] {
  return names.map((name) => ({ name, descending: false }));
}

/** Equality columns, then a range column or the ORDER BY: the shapes worth trying, widest last. */
type KeyShape = Pick<IndexCandidate, 'columns' | 'equalityColumns' | 'rangeColumns'>;

function keyShapes(predicates: TablePredicates, order: readonly IndexColumn[]): KeyShape[] {
  const equality = ascending(predicates.equality.slice(0, MAX_INDEX_COLUMNS));
  const shapes: KeyShape[] = [];
  if (equality.length > 1) shapes.push({ columns: equality.slice(0, 1), equalityColumns: 1, rangeColumns: 0 });
  if (equality.length > 0) shapes.push({ columns: equality, equalityColumns: equality.length, rangeColumns: 0 });
  const room = MAX_INDEX_COLUMNS - equality.length;
  const range = predicates.range.filter((name) => !predicates.equality.includes(name));
  if (room > 0 && range.length > 0) shapes.push({ columns: [...equality, ...ascending(range.slice(0, 1))], equalityColumns: equality.length, rangeColumns: 1 });
  const orderRest = order.filter((column) => !predicates.equality.includes(column.name));
  if (room > 0 && range.length === 0 && orderRest.length > 0 && orderRest.length <= room) {
    shapes.push({ columns: [...equality, ...orderRest], equalityColumns: equality.length, rangeColumns: 0 });
  }
  return shapes;
}

function tableCandidates(table: FromTable, predicates: TablePredicates, order: readonly IndexColumn[]): IndexCandidate[] {
  const shapes = keyShapes(predicates, order);
  if (shapes.length === 0 && predicates.partial.length > 0) {
    // Only constant predicates: index the tested column, restricted to the rows they keep.
    const column = predicates.partial[0].column;
    return [{ table: table.table, columns: ascending([column]), equalityColumns: 0, rangeColumns: 0, where: predicates.partial }];
  }
  return shapes.flatMap((shape) => {
    const full: IndexCandidate = { table: table.table, ...shape, where: [] };
    const partial = predicates.partial.filter((predicate) => !shape.columns.some((column) => column.name === predicate.column));
    return partial.length === 0 ? [full] : [full, { ...full, where: partial }];
  });
}

/** Candidate indexes for a single top-level SELECT, by the table names it is written with; empty for anything else. */
export function indexCandidates(statement: PgNode): IndexCandidate[] {
  const select = asNode(statement, 'SelectStmt');
  if (select === undefined || (str(select, 'op') ?? 'SETOP_NONE') !== 'SETOP_NONE') return [];
  const tables = fromTables(list(select, 'fromClause'));
  const byTable = predicatesByTable(select, tables);
  return tables.flatMap((table) => tableCandidates(table, byTable.get(table) ?? { equality: [], range: [], partial: [] }, orderColumns(select, table, tables)));
}
