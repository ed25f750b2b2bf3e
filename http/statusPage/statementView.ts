/**
 * The detail view of one statement (`?statement=<fingerprint>`): its text,
 * figures, errors by SQLSTATE, findings, and its calls and latency over the
 * last hour and day.
 */
import type { QuerylensReport, ReportQuery } from '../../report/reportModel';
import { escapeHtml } from './escapeHtml';
import { formatCount, formatMs, formatRatio } from './formatValues';
import { statementCharts } from './historyCharts';
import { none, num, shareOfTotal, table, txt } from './pageParts';

function figures(report: QuerylensReport, query: ReportQuery): string {
  const tiles: readonly [string, string][] = [
    ['calls', formatCount(query.calls)],
    ['total time', formatMs(query.totalMs)],
    ['% of total time', formatRatio(shareOfTotal(report, query))],
    ['mean', formatMs(query.meanMs)],
    ['p95', formatMs(query.p95Ms)],
    ['max', formatMs(query.maxMs)],
    ['rows', formatCount(query.rows)],
    ['errors', formatCount(query.errors)],
  ];
  return `<ul class="overview">${tiles.map(([label, value]) => `<li>${escapeHtml(label)}<b>${escapeHtml(value)}</b></li>`).join('')}</ul>`;
}

function errorCodes(query: ReportQuery): string {
  const rows = Object.entries(query.errorsByCode).sort(([, a], [, b]) => b - a).map(([code, count]) => [txt(code), num(formatCount(count))]);
  return rows.length === 0 ? none('no failed execution') : table(['SQLSTATE', 'failed executions'], rows);
}

function statementFindings(report: QuerylensReport, query: ReportQuery): string {
  const rows = report.findings.filter((finding) => finding.fingerprint === query.fingerprint)
    .map((finding) => [txt(finding.severity), txt(finding.rule), txt(finding.message), txt(finding.suggestion), num(formatCount(finding.count))]);
  return rows.length === 0 ? none('no finding for this statement') : table(['severity', 'rule', 'message', 'suggestion', 'count'], rows);
}

export function statementView(report: QuerylensReport, fingerprint: string, backLink: string): string {
  const back = `<p><a href="${escapeHtml(backLink)}">← all statements</a></p>`;
  const query = report.queries.top.find((candidate) => candidate.fingerprint === fingerprint);
  if (query === undefined) {
    return `<section id="statement"><h2>Statement</h2>${back}${none(`statement ${fingerprint} is not among the top statements (never seen, pushed out of the top-K, or statistics reset)`)}</section>`;
  }
  return `<section id="statement"><h2>Statement</h2>${back}<pre>${escapeHtml(query.query)}</pre>`
    + `<p class="muted">${escapeHtml(`${query.operation} · fingerprint ${query.fingerprint} · first seen ${query.firstSeen}, last seen ${query.lastSeen}`)}</p>`
    + figures(report, query)
    + `<h3>Over time</h3>${statementCharts(report, query)}`
    + `<h3>Errors by SQLSTATE</h3>${errorCodes(query)}`
    + `<h3>Findings</h3>${statementFindings(report, query)}</section>`;
}
