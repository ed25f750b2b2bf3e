/**
 * What the statements of one file establish for the statements after them
 * (`SessionState`): the open transaction block, the tables and materialized
 * views created, the NOT VALID constraints added in the open block, and the
 * `CHECK (col IS NOT NULL)` constraints that are valid. Pure: it is fed one
 * file's statements in order, each after its rules have judged it, and holds
 * nothing beyond that file.
 */
import type { PgNode, SessionState } from './rule';
import { list, names, str } from './parse/nodeReaders';
import { asNode, child, unwrapNode, type Fields } from './parse/parseTree';
import { alterTableCommands } from './parse/writeStatements';

/** Nothing established: what a statement judged alone (at runtime) sees. */
export const NO_SESSION: SessionState = {
  inTransaction: false,
  isNewRelation: () => false,
  addedNotValidInTransaction: () => false,
  hasValidNotNullCheck: () => false,
};

/** Relation names, each with the schemas it was written with ('' for none). */
class RelationNames {
  private readonly byName = new Map<string, Set<string>>();

  add(relation: Fields): void {
    const name = str(relation, 'relname') ?? '';
    const schemas = this.byName.get(name) ?? new Set<string>();
    schemas.add(str(relation, 'schemaname') ?? '');
    this.byName.set(name, schemas);
  }

  delete(relation: Fields): void {
    const name = str(relation, 'relname') ?? '';
    const schemas = this.byName.get(name);
    const schema = str(relation, 'schemaname') ?? '';
    if (schemas === undefined) return;
    if (schema !== '') {
      schemas.delete(schema);
      schemas.delete('');
    }
    if (schema === '' || schemas.size === 0) this.byName.delete(name);
  }

  has(relation: Fields): boolean {
    const schemas = this.byName.get(str(relation, 'relname') ?? '');
    const schema = str(relation, 'schemaname') ?? '';
    return schemas !== undefined && (schema === '' || schemas.has('') || schemas.has(schema));
  }
}

/** The columns a CHECK proves not null: `a IS NOT NULL`, or an AND of such tests. */
function notNullColumns(expression: unknown): readonly string[] {
  const and = asNode(expression, 'BoolExpr');
  if (and !== undefined) return str(and, 'boolop') === 'AND_EXPR' ? list(and, 'args').flatMap(notNullColumns) : [];
  const test = asNode(expression, 'NullTest');
  const column = test === undefined || str(test, 'nulltesttype') !== 'IS_NOT_NULL' ? undefined : asNode(test['arg'], 'ColumnRef');
  return column === undefined ? [] : names(list(column, 'fields')).slice(-1);
}

/** `DROP TABLE a.t` names `['a', 't']`: as a RangeVar's fields. */
function relationOfNames(object: unknown): Fields {
  const parts = names(list(asNode(object, 'List') ?? {}, 'items'));
  return parts.length >= 2 ? { schemaname: parts[parts.length - 2], relname: parts[parts.length - 1] } : { relname: parts[0] ?? '' };
}

const DROPPED_RELATIONS = new Set(['OBJECT_TABLE', 'OBJECT_MATVIEW']);

interface NotNullCheck {
  readonly columns: readonly string[];
  valid: boolean;
}

export class SessionTracker implements SessionState {
  inTransaction = false;
  private readonly created = new RelationNames();
  /** Created inside the open block: a ROLLBACK takes them away again. */
  private createdInBlock: Fields[] = [];
  /** `relname` NUL `constraint`, for constraints added NOT VALID in the open block. */
  private readonly notValidInBlock = new Set<string>();
  /** relname → constraint name → the CHECK (col IS NOT NULL) it is. */
  private readonly notNullChecks = new Map<string, Map<string, NotNullCheck>>();

  isNewRelation(relation: Fields): boolean {
    return this.created.has(relation);
  }

  addedNotValidInTransaction(relation: Fields, constraint: string): boolean {
    return this.notValidInBlock.has(constraintKey(relation, constraint));
  }

  hasValidNotNullCheck(relation: Fields, column: string): boolean {
    const checks = this.notNullChecks.get(str(relation, 'relname') ?? '');
    return checks !== undefined && [...checks.values()].some((check) => check.valid && check.columns.includes(column));
  }

  /** Takes in what `stmt` establishes; call it after the rules judged `stmt`. */
  advance(stmt: PgNode): void {
    const node = unwrapNode(stmt);
    if (node === undefined) return;
    const [type, fields] = node;
    if (type === 'TransactionStmt') this.transaction(fields);
    else if (type === 'CreateStmt') this.create(fields, child(fields, 'relation'));
    else if (type === 'CreateTableAsStmt') this.create(fields, child(child(fields, 'into') ?? {}, 'rel'));
    else if (type === 'DropStmt' && DROPPED_RELATIONS.has(str(fields, 'removeType') ?? '')) {
      for (const object of list(fields, 'objects')) this.created.delete(relationOfNames(object));
    } else if (type === 'RenameStmt') this.rename(fields);
    else if (type === 'AlterTableStmt') this.alterTable(stmt);
  }

  private transaction(fields: Fields): void {
    const kind = str(fields, 'kind');
    if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') {
      this.inTransaction = true;
      return;
    }
    const ends = kind === 'TRANS_STMT_COMMIT' || kind === 'TRANS_STMT_PREPARE' || kind === 'TRANS_STMT_ROLLBACK';
    if (!ends) return;
    if (kind === 'TRANS_STMT_ROLLBACK') for (const relation of this.createdInBlock) this.created.delete(relation);
    this.createdInBlock = [];
    this.notValidInBlock.clear();
    // COMMIT AND CHAIN starts the next transaction at once.
    this.inTransaction = fields['chain'] === true;
  }

  private create(fields: Fields, relation: Fields | undefined): void {
    // IF NOT EXISTS may find the table already there, rows and readers included.
    if (relation === undefined || fields['if_not_exists'] === true) return;
    this.created.add(relation);
    if (this.inTransaction) this.createdInBlock.push(relation);
  }

  private rename(fields: Fields): void {
    const relation = child(fields, 'relation');
    const newName = str(fields, 'newname');
    if (relation === undefined || newName === undefined || !DROPPED_RELATIONS.has(str(fields, 'renameType') ?? '')) return;
    if (!this.created.has(relation)) return;
    this.created.delete(relation);
    this.created.add({ ...relation, relname: newName });
  }

  private alterTable(stmt: PgNode): void {
    for (const { subtype, command, relation } of alterTableCommands(stmt)) {
      const name = str(command, 'name') ?? '';
      const checks = this.notNullChecks.get(str(relation, 'relname') ?? '');
      if (subtype === 'AT_AddConstraint') this.addConstraint(relation, asNode(command['def'], 'Constraint'));
      else if (subtype === 'AT_ValidateConstraint') {
        const check = checks?.get(name);
        if (check !== undefined) check.valid = true;
      } else if (subtype === 'AT_DropConstraint') {
        checks?.delete(name);
        this.notValidInBlock.delete(constraintKey(relation, name));
      }
    }
  }

  private addConstraint(relation: Fields, constraint: Fields | undefined): void {
    if (constraint === undefined) return;
    const name = str(constraint, 'conname');
    const notValid = constraint['skip_validation'] === true;
    if (notValid && name !== undefined && this.inTransaction) this.notValidInBlock.add(constraintKey(relation, name));
    const columns = str(constraint, 'contype') === 'CONSTR_CHECK' ? notNullColumns(constraint['raw_expr']) : [];
    if (columns.length === 0) return;
    const table = str(relation, 'relname') ?? '';
    const checks = this.notNullChecks.get(table) ?? new Map<string, NotNullCheck>();
    // An unnamed check cannot be validated by name later, but a valid one still counts.
    checks.set(name ?? `\u0000${checks.size}`, { columns, valid: !notValid });
    this.notNullChecks.set(table, checks);
  }
}

function constraintKey(relation: Fields, constraint: string): string {
  return `${str(relation, 'relname') ?? ''}\u0000${constraint}`;
}
