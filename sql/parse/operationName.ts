/**
 * `db.operation.name` from a statement's node type: the SQL command as a
 * user would say it (`SELECT`, `CREATE INDEX`, `ALTER TABLE`, `BEGIN`).
 */
import type { Fields } from './parseTree';
import { str } from './nodeReaders';

const SIMPLE: Readonly<Record<string, string>> = {
  SelectStmt: 'SELECT',
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
  CreateStmt: 'CREATE TABLE',
  IndexStmt: 'CREATE INDEX',
  ViewStmt: 'CREATE VIEW',
  CreateSeqStmt: 'CREATE SEQUENCE',
  CreateSchemaStmt: 'CREATE SCHEMA',
  CreateFunctionStmt: 'CREATE FUNCTION',
  CreateTrigStmt: 'CREATE TRIGGER',
  CreateExtensionStmt: 'CREATE EXTENSION',
  CreatedbStmt: 'CREATE DATABASE',
  CreateRoleStmt: 'CREATE ROLE',
  CreateEnumStmt: 'CREATE TYPE',
  CompositeTypeStmt: 'CREATE TYPE',
  CreateDomainStmt: 'CREATE DOMAIN',
  CreatePolicyStmt: 'CREATE POLICY',
  AlterRoleStmt: 'ALTER ROLE',
  TruncateStmt: 'TRUNCATE',
  CopyStmt: 'COPY',
  ExplainStmt: 'EXPLAIN',
  VariableShowStmt: 'SHOW',
  LockStmt: 'LOCK',
  CallStmt: 'CALL',
  DoStmt: 'DO',
  ListenStmt: 'LISTEN',
  UnlistenStmt: 'UNLISTEN',
  NotifyStmt: 'NOTIFY',
  PrepareStmt: 'PREPARE',
  ExecuteStmt: 'EXECUTE',
  DeallocateStmt: 'DEALLOCATE',
  DeclareCursorStmt: 'DECLARE',
  ClosePortalStmt: 'CLOSE',
  RefreshMatViewStmt: 'REFRESH MATERIALIZED VIEW',
  ReindexStmt: 'REINDEX',
  ClusterStmt: 'CLUSTER',
  CommentStmt: 'COMMENT',
  DiscardStmt: 'DISCARD',
  CheckPointStmt: 'CHECKPOINT',
};

const TRANSACTION_KINDS: Readonly<Record<string, string>> = {
  TRANS_STMT_BEGIN: 'BEGIN',
  TRANS_STMT_START: 'START TRANSACTION',
  TRANS_STMT_COMMIT: 'COMMIT',
  TRANS_STMT_ROLLBACK: 'ROLLBACK',
  TRANS_STMT_SAVEPOINT: 'SAVEPOINT',
  TRANS_STMT_RELEASE: 'RELEASE',
  TRANS_STMT_ROLLBACK_TO: 'ROLLBACK',
  TRANS_STMT_PREPARE: 'PREPARE TRANSACTION',
  TRANS_STMT_COMMIT_PREPARED: 'COMMIT PREPARED',
  TRANS_STMT_ROLLBACK_PREPARED: 'ROLLBACK PREPARED',
};

/** `OBJECT_MATVIEW` → `MATERIALIZED VIEW`, `OBJECT_FOREIGN_TABLE` → `FOREIGN TABLE`. */
function objectKind(objectType: string | undefined): string {
  if (objectType === undefined) return 'TABLE';
  const words = objectType.replace(/^OBJECT_/, '');
  return words === 'MATVIEW' ? 'MATERIALIZED VIEW' : words.replace(/_/g, ' ');
}

/** `AlterSeqStmt` → `ALTER SEQ`: a readable fallback for the rarer commands. */
function fromTypeName(type: string): string {
  return type
    .replace(/Stmt$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
}

export function operationName(type: string, fields: Fields): string {
  const simple = SIMPLE[type];
  if (simple !== undefined) return simple;
  switch (type) {
    case 'TransactionStmt':
      return TRANSACTION_KINDS[str(fields, 'kind') ?? ''] ?? 'TRANSACTION';
    case 'AlterTableStmt':
      return `ALTER ${objectKind(str(fields, 'objtype'))}`;
    case 'DropStmt':
      return `DROP ${objectKind(str(fields, 'removeType'))}`;
    case 'RenameStmt': {
      // Renaming a column or constraint is an ALTER of the table (or view) that holds it.
      const renamed = str(fields, 'renameType');
      const held = renamed === 'OBJECT_COLUMN' || renamed === 'OBJECT_TABCONSTRAINT';
      return `ALTER ${objectKind(held ? str(fields, 'relationType') : renamed)}`;
    }
    case 'CreateTableAsStmt':
      return `CREATE ${objectKind(str(fields, 'objtype'))}`;
    case 'VariableSetStmt':
      return str(fields, 'kind') === 'VAR_RESET' || str(fields, 'kind') === 'VAR_RESET_ALL' ? 'RESET' : 'SET';
    case 'VacuumStmt':
      return fields['is_vacuumcmd'] === true ? 'VACUUM' : 'ANALYZE';
    case 'GrantStmt':
      return fields['is_grant'] === true ? 'GRANT' : 'REVOKE';
    case 'FetchStmt':
      return fields['ismove'] === true ? 'MOVE' : 'FETCH';
    default:
      return fromTypeName(type);
  }
}
