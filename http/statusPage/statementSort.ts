/** The top statements table's server-side sort (`?sort=`), so sorting needs no script. */
import type { ReportQuery } from '../../report/reportModel';

export const STATEMENT_SORTS = {
  total: { label: 'total time', key: (query: ReportQuery) => query.totalMs },
  calls: { label: 'calls', key: (query: ReportQuery) => query.calls },
  mean: { label: 'mean', key: (query: ReportQuery) => query.meanMs },
} as const;

export type StatementSort = keyof typeof STATEMENT_SORTS;

export const DEFAULT_STATEMENT_SORT: StatementSort = 'total';

export function parseStatementSort(value: string | null): StatementSort {
  return value !== null && Object.hasOwn(STATEMENT_SORTS, value) ? value as StatementSort : DEFAULT_STATEMENT_SORT;
}

/** Largest first; ties by fingerprint, so a refresh does not shuffle equal rows. */
export function sortStatements(queries: readonly ReportQuery[], sort: StatementSort): ReportQuery[] {
  const key = STATEMENT_SORTS[sort].key;
  return [...queries].sort((a, b) => key(b) - key(a) || a.fingerprint.localeCompare(b.fingerprint));
}
