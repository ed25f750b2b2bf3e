/**
 * Tells the query cache (core/dataChanges.ts) which tables the app's
 * statements changed, once that change is visible to other connections:
 * at once outside a transaction, on COMMIT inside one, never for a
 * transaction that rolled back. The transaction state is the server's own
 * (pg's `getTransactionStatus()`, from each ReadyForQuery message), so
 * savepoints, `END`, `ABORT`, failed transactions and COMMITs that
 * PostgreSQL turned into a rollback are read as PostgreSQL ended them.
 */
import { emitDataChange } from '../../core/dataChanges';
import type { TableWrites } from '../../core/statementAnalysis';

interface TransactionAware {
  getTransactionStatus?(): string | null;
}

/** Beyond this many distinct tables in one transaction, its commit invalidates everything (a bound on what is held per connection). */
const MAX_PENDING_TABLES = 256;

type Pending = Set<string> | 'unknown';

/** Per connection, what its open transaction has changed so far; held weakly, so a lost client takes its entry along. */
const pendingByClient = new WeakMap<object, Pending>();

function hasWrites(writes: TableWrites): boolean {
  return writes === 'unknown' || writes.length > 0;
}

function merged(held: Pending | undefined, writes: TableWrites): Pending {
  if (held === 'unknown' || writes === 'unknown') return 'unknown';
  const tables = held ?? new Set<string>();
  for (const table of writes) tables.add(table);
  return tables.size > MAX_PENDING_TABLES ? 'unknown' : tables;
}

function asWrites(pending: Pending): TableWrites {
  return pending === 'unknown' ? 'unknown' : [...pending];
}

/** The last command of a result (several for a multi-statement text): pg reports a COMMIT of a failed transaction as `ROLLBACK`. */
function lastCommand(result: unknown): string | undefined {
  const last: unknown = Array.isArray(result) ? result[result.length - 1] : result;
  const command = typeof last === 'object' && last !== null ? (last as { command?: unknown }).command : undefined;
  return typeof command === 'string' ? command : undefined;
}

/**
 * One finished statement. Reads (no writes, no open transaction) cost a
 * WeakMap lookup. Without `getTransactionStatus` (an old pg) every write is
 * announced at once, as if it had been committed.
 */
export function noteStatementWrites(client: object, writes: TableWrites, failed: boolean, result: unknown): void {
  const held = pendingByClient.get(client);
  if (held === undefined && (failed || !hasWrites(writes))) return;
  const status = (client as TransactionAware).getTransactionStatus?.();
  if (status === 'T' || status === 'E') {
    // A statement that failed changed nothing; its transaction is aborted but still open.
    if (!failed && hasWrites(writes)) pendingByClient.set(client, merged(held, writes));
    return;
  }
  pendingByClient.delete(client);
  // Idle again: committed, unless the statement failed (a failed COMMIT rolls back) or ended in a rollback.
  if (failed || lastCommand(result) === 'ROLLBACK') return;
  // Most writes run outside a transaction: their own tables, as the analysis gave them.
  emitDataChange(held === undefined ? writes : asWrites(merged(held, writes)));
}

/** Tables the connection's open transaction has changed (not yet committed): the query cache answers its reads of them from the database. */
export function uncommittedWrites(client: object): TableWrites | undefined {
  const held = pendingByClient.get(client);
  return held === undefined ? undefined : asWrites(held);
}
