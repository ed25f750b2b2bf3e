/** Table cells and the small pieces the status page's views share; every string is escaped here. */
import type { QuerylensReport, ReportQuery } from '../../report/reportModel';
import { escapeHtml } from './escapeHtml';
import { formatCount } from './formatValues';

export type Cell = { readonly html: string; readonly numeric: boolean };

export const num = (value: string): Cell => ({ html: escapeHtml(value), numeric: true });
export const txt = (value: string): Cell => ({ html: escapeHtml(value), numeric: false });
export const sql = (value: string): Cell => ({ html: `<code>${escapeHtml(value)}</code>`, numeric: false });
/** Markup built by the page itself (a chart, a link), its strings already escaped. */
export const markup = (html: string, numeric = false): Cell => ({ html, numeric });

/** `headers` are HTML (they may hold sort links); cells are escaped by the helpers above. */
export function table(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const head = `<tr>${headers.map((header) => `<th>${header}</th>`).join('')}</tr>`;
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td${cell.numeric ? ' class="n"' : ''}>${cell.html}</td>`).join('')}</tr>`).join('');
  return `<table>${head}${body}</table>`;
}

export function none(what: string): string {
  return `<p class="muted">${escapeHtml(what)}</p>`;
}

/** Time of every execution since `statsSince`: the top-K and what left it. */
export function totalTimeMs(report: QuerylensReport): number {
  return report.queries.top.reduce((sum, query) => sum + query.totalMs, report.queries.other.totalMs);
}

/** The statement's share of all statement time, as a fraction (0 when nothing ran). */
export function shareOfTotal(report: QuerylensReport, query: ReportQuery): number {
  const total = totalTimeMs(report);
  return total > 0 ? query.totalMs / total : 0;
}

/** `3 (23505 ×2, 57014)`: failed executions and their SQLSTATEs, most frequent first. */
export function errorsWithCodes(query: ReportQuery): string {
  const codes = Object.entries(query.errorsByCode).sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b));
  if (codes.length === 0) return formatCount(query.errors);
  return `${formatCount(query.errors)} (${codes.map(([code, count]) => (count === 1 ? code : `${code} ×${formatCount(count)}`)).join(', ')})`;
}
