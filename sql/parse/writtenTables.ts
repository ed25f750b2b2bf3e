/**
 * Which tables a statement changes, for the query cache's write-driven
 * invalidation (cache/queryCaching.ts). Errs towards naming too many: a table
 * named needlessly costs a reload, a table missed serves stale rows.
 */

/**
 * - `target`: changes the table in its `relation` field (INSERT, UPDATE, DELETE, MERGE, also nested in a CTE or EXPLAIN).
 * - `named`: changes, or may change, every table the statement names (TRUNCATE, COPY, DDL, REFRESH MATERIALIZED VIEW).
 * - `unknown`: may change tables it does not name.
 * - `none`: changes no table data (reads, transaction control, settings).
 */
export type WriteKind = 'target' | 'named' | 'unknown' | 'none';

const TARGET_WRITES = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

/** Triggers and rules are not followed either: what they write is the database's business (docs/caches.md). */
const UNATTRIBUTED_WRITES = new Set(['CallStmt', 'DoStmt', 'ExecuteStmt']);

/** Statements that change no table's rows or shape, whatever they name. */
const NO_DATA_CHANGE = new Set([
  'SelectStmt', 'ExplainStmt', 'TransactionStmt', 'VariableSetStmt', 'VariableShowStmt',
  'ListenStmt', 'UnlistenStmt', 'NotifyStmt', 'DeallocateStmt', 'DiscardStmt', 'CheckPointStmt',
  'DeclareCursorStmt', 'FetchStmt', 'ClosePortalStmt', 'LockStmt', 'VacuumStmt', 'PrepareStmt',
]);

/** How a statement met in the walk changes data; nested statements other than DML are parts of their parent. */
export function writeKindOf(type: string, nested: boolean): WriteKind {
  if (TARGET_WRITES.has(type)) return 'target';
  if (nested || NO_DATA_CHANGE.has(type)) return 'none';
  return UNATTRIBUTED_WRITES.has(type) ? 'unknown' : 'named';
}
