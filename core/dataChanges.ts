/**
 * The seam between capture and the query cache: the pg instrumentation tells
 * it which tables the app's own statements changed (once committed), the
 * cache drops what it holds of them. Capture cannot import the cache, nor
 * the cache the SQL engine, so both meet here.
 */
import type { TableWrites } from './statementAnalysis';

export type DataChangeListener = (tables: TableWrites) => void;

const listeners = new Set<DataChangeListener>();

/** Returns the function that stops listening. */
export function onDataChange(listener: DataChangeListener): () => void {
  listeners.add(listener);
  return () => { listeners.delete(listener); };
}

/** Capture skips its bookkeeping while nobody listens (no cache has used `query`). */
export function hasDataChangeListeners(): boolean {
  return listeners.size > 0;
}

export function emitDataChange(tables: TableWrites): void {
  for (const listener of listeners) listener(tables);
}
