/**
 * What the parse tree says about a text's statements: operation, tables,
 * `db.query.summary`, and whether it is read-only. One walk per statement
 * (`visitTree`), done once per distinct text.
 */
import { operationName } from './operationName';
import { functionName, list, names, str, tableName } from './nodeReaders';
import { SKIP_CHILDREN, child, unwrapNode, visitTree, type Fields, type TreeVisitor } from './parseTree';
import type { PgNode } from '../rule';
import { CLOCK_FUNCTIONS, VOLATILE_FUNCTIONS } from './volatileFunctions';
import { writeKindOf } from './writtenTables';
import type { TableWrites } from '../../core/statementAnalysis';

export interface StatementFacts {
  /** Operation of the first statement. */
  readonly operation: string;
  readonly summary: string;
  readonly tables: readonly string[];
  readonly readOnly: boolean;
  readonly hasVolatileFunctions: boolean;
  /** Some statement has a `$n` placeholder. */
  readonly hasParameters: boolean;
  /** What the statements change (writtenTables.ts). */
  readonly writes: TableWrites;
  /** Calls `now()`, `CURRENT_TIMESTAMP` or another function of the clock or session: its result depends on when and by whom it runs. */
  readonly readsClock: boolean;
}

/** OTel semconv caps `db.query.summary` at 255 characters. */
export const SUMMARY_MAX_LENGTH = 255;

/** Statements nested in another (subqueries, CTE bodies, EXPLAIN's target) name their operation in the summary. */
const NESTED_OPERATIONS: Readonly<Record<string, string>> = {
  SelectStmt: 'SELECT',
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
};

/**
 * Fields read before the others, whatever their place in the tree: the
 * statement's target table (`INSERT INTO t`, `CREATE TABLE t AS`) leads its
 * summary as in the semconv examples, and a WITH clause, last in the tree but
 * first in the text, defines CTE names before their uses.
 */
const FIRST_FIELDS: readonly string[] = ['relation', 'into', 'withClause'];

/** Statement types that never write by themselves (EXPLAIN is judged by what it explains). */
const READ_ONLY_TYPES = new Set(['SelectStmt', 'ExplainStmt']);

/** Joins tokens, dropping whole tokens from the end to stay within the cap. */
function capped(tokens: readonly string[], max: number): string {
  let out = '';
  for (const token of tokens) {
    const next = out === '' ? token : `${out} ${token}`;
    if (next.length > max) break;
    out = next;
  }
  return out;
}

export function statementFacts(statements: readonly PgNode[]): StatementFacts {
  const tables = new Set<string>();
  const summaries: string[] = [];
  let readOnly = true;
  let hasVolatileFunctions = false;
  let hasParameters = false;
  let readsClock = false;
  const written = new Set<string>();
  let writesUnknown = false;

  for (const statement of statements) {
    const tokens: string[] = [];
    const cteNames = new Set<string>();
    const named = new Set<string>();
    let changesNamedTables = false;

    const target = (name: string, schemaQualified: boolean, relation: string): void => {
      // An unqualified name that a WITH clause defines is the CTE, not a table.
      if (!schemaQualified && cteNames.has(relation)) return;
      if (tokens[tokens.length - 1] !== name) tokens.push(name);
      tables.add(name);
      named.add(name);
    };

    const visitStatement = (type: string, fields: Fields, nested: boolean): void => {
      if (!READ_ONLY_TYPES.has(type)) readOnly = false;
      if (fields['intoClause'] !== undefined || list(fields, 'lockingClause').length > 0) readOnly = false;
      // `INSERT … VALUES` holds its rows in a SelectStmt that is not a query of its own.
      const isValuesList = type === 'SelectStmt' && list(fields, 'valuesLists').length > 0;
      const keyword = !nested ? operationName(type, fields) : isValuesList ? undefined : NESTED_OPERATIONS[type];
      if (keyword !== undefined) tokens.push(keyword);
      const writeKind = writeKindOf(type, nested);
      if (writeKind === 'target') {
        const relation = child(fields, 'relation');
        if (relation !== undefined) written.add(tableName(relation));
      } else if (writeKind === 'named') changesNamedTables = true;
      else if (writeKind === 'unknown') writesUnknown = true;
      if (type === 'DropStmt' && str(fields, 'removeType') === 'OBJECT_TABLE') {
        for (const object of list(fields, 'objects')) {
          const parts = names(list(unwrapNode(object)?.[1] ?? {}, 'items'));
          if (parts.length > 0) target(parts.join('.'), parts.length > 1, parts[parts.length - 1]);
        }
      }
    };

    // Target tables are inlined RangeVars (`relation: { relname }`, IntoClause's `rel`), FROM items wrapped ones.
    const relationTarget = (fields: Fields): boolean => {
      const relation = fields['relname'];
      if (typeof relation !== 'string') return false;
      target(tableName(fields), typeof fields['schemaname'] === 'string', relation);
      return true;
    };

    // The context is whether a statement met here is nested in another.
    const visitor: TreeVisitor<boolean> = {
      firstFields: FIRST_FIELDS,
      struct: (value) => !relationTarget(value),
      node: (type, fields, _field, nested, inlined) => {
        if (type === 'RangeVar') return relationTarget(fields) ? SKIP_CHILDREN : true;
        // The arms of a set operation are inlined SelectStmts: parts of one query, not statements of their own.
        if (type.endsWith('Stmt')) {
          if (!inlined) visitStatement(type, fields, nested);
        } else if (type === 'FuncCall') {
          const name = functionName(fields);
          if (VOLATILE_FUNCTIONS.has(name)) hasVolatileFunctions = true;
          else if (CLOCK_FUNCTIONS.has(name)) readsClock = true;
        } else if (type === 'SQLValueFunction') readsClock = true;
        else if (type === 'ParamRef') hasParameters = true;
        else if (type === 'CommonTableExpr') cteNames.add(str(fields, 'ctename') ?? '');
        return true;
      },
    };

    if (unwrapNode(statement) === undefined) continue;
    visitTree(statement, visitor, false);
    summaries.push(tokens.join(' '));
    if (changesNamedTables) for (const name of named) written.add(name);
  }

  const first = unwrapNode(statements[0]);
  return {
    operation: first === undefined ? 'UNKNOWN' : operationName(first[0], first[1]),
    summary: capped(summaries.join('; ').split(' '), SUMMARY_MAX_LENGTH),
    tables: [...tables],
    readOnly: readOnly && !hasVolatileFunctions,
    hasVolatileFunctions,
    hasParameters,
    writes: writesUnknown ? 'unknown' : [...written],
    readsClock,
  };
}
