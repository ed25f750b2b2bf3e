/**
 * Statements that change schema or data, as rules judge them: the commands
 * of an ALTER TABLE, the names a DROP removes, UPDATE and DELETE without WHERE.
 */
import type { PgNode, RuleHit } from '../rule';
import { hitAt } from '../ruleWording';
import { isSerialColumn, list, names, str, tableName } from './nodeReaders';
import { asNode, child, nodesOfType, type Fields } from './parseTree';

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

/** The names a DROP statement removes, qualified as written: `DROP TABLE a.t, u` → `['a.t', 'u']`. */
export function droppedObjects(dropStmt: Fields): readonly string[] {
  return list(dropStmt, 'objects')
    .map((object) => names(list(asNode(object, 'List') ?? {}, 'items')).join('.'))
    .filter((name) => name !== '');
}

/** `REINDEX (CONCURRENTLY) …` or `REINDEX … CONCURRENTLY`: both are a `concurrently` option. */
export function isConcurrentReindex(reindexStmt: Fields): boolean {
  return list(reindexStmt, 'params').some((param) => str(asNode(param, 'DefElem') ?? {}, 'defname') === 'concurrently');
}

/** What a REINDEX names: the index or table, else the schema or database. */
export function reindexedObject(reindexStmt: Fields): string {
  const relation = child(reindexStmt, 'relation');
  return relation === undefined ? (str(reindexStmt, 'name') ?? '') : tableName(relation);
}

// Constraint kinds that give a new column a value in every existing row.
const FILLS_EXISTING_ROWS = new Set(['CONSTR_DEFAULT', 'CONSTR_IDENTITY', 'CONSTR_GENERATED']);

/** True when a column added by ALTER TABLE gets a value in every existing row: a default other than NULL, identity, generated, serial. */
export function fillsExistingRows(columnDef: Fields): boolean {
  if (isSerialColumn(columnDef)) return true;
  return list(columnDef, 'constraints').some((item) => {
    const constraint = asNode(item, 'Constraint') ?? {};
    const nullDefault = str(constraint, 'contype') === 'CONSTR_DEFAULT' && asNode(constraint['raw_expr'], 'A_Const')?.['isnull'] === true;
    return FILLS_EXISTING_ROWS.has(str(constraint, 'contype') ?? '') && !nullDefault;
  });
}
