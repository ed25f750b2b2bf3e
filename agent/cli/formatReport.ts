/**
 * `querylens report` in a terminal: the overview line, the top statements by
 * total time, the findings grouped by rule (with where they were sent from),
 * the N+1 loops by route and call site, the connection findings and the
 * index suggestions, from the agent's JSON report.
 * Pure: report in, text out. Statement texts come from the service, so
 * control characters are shown as `\xNN` and cannot drive the terminal.
 */
import type { QuerylensReport, ReportFinding } from '../../report/reportModel';
import { formatCount, formatDuration, formatMs } from '../../http/statusPage/formatValues';
import { sortStatements } from '../../http/statusPage/statementSort';
import { callSiteText, callSitesText } from '../../http/statusPage/callSiteText';

/** Longest statement text printed on one line; the full text is in --format json. */
const MAX_QUERY_CHARS = 160;

export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => (char === '\n' || char === '\t' ? ' ' : `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

export function oneLine(query: string): string {
  const flat = terminalSafe(query).replace(/\s+/g, ' ').trim();
  return flat.length > MAX_QUERY_CHARS ? `${flat.slice(0, MAX_QUERY_CHARS - 1)}…` : flat;
}

export function columns(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string {
  const widths = rows[0].map((_, index) => Math.max(...rows.map((row) => row[index].length)));
  return rows.map((row) => row.map((cell, index) => {
    if (index === row.length - 1) return cell;
    return rightAligned.has(index) ? cell.padStart(widths[index]) : cell.padEnd(widths[index]);
  }).join('  ')).join('\n');
}

function statements(report: QuerylensReport, limit: number): string {
  const top = sortStatements(report.queries.top, 'total').slice(0, limit);
  if (top.length === 0) return 'Top statements: none recorded yet\n';
  const rows = [['calls', 'total', 'mean', 'p95', 'errors', 'statement'],
    ...top.map((query) => [formatCount(query.calls), formatMs(query.totalMs), formatMs(query.meanMs), formatMs(query.p95Ms), formatCount(query.errors), oneLine(query.query)])];
  const more = report.queries.top.length > top.length ? `\n(${report.queries.top.length - top.length} more; --limit to show them)` : '';
  return `Top statements by total time\n${columns(rows, new Set([0, 1, 2, 3, 4]))}${more}\n`;
}

/** A finding's fix on one line, whole (it is at most 2,000 characters): its statements, each ending in `;`; the description is in --format json and on the status page. */
function fixLine({ fix }: ReportFinding): string {
  return fix === undefined ? '' : `\n      fix: ${fix.statements.map((statement) => `${terminalSafe(statement)};`).join(' ')}`;
}

function sentFrom(finding: ReportFinding): string {
  return finding.callSites.length === 0 ? '' : `\n      from ${terminalSafe(callSitesText(finding.callSites))}`;
}

/** `GET /customers/:id/orders runs SELECT … 12 times per request, from src/orders.js:42`: what makes a loop actionable. */
function nPlusOneLoops(report: QuerylensReport): string {
  if (report.nPlusOne.length === 0) return '';
  const lines = report.nPlusOne.map((loop) => {
    const on = loop.routes.length === 0 ? 'a unit of work' : loop.routes.map((route) => route.route).join(', ');
    return `  ${terminalSafe(on)} runs ${oneLine(loop.query)} up to ${formatCount(loop.maxRepetitions)} times per request, from ${terminalSafe(callSitesText(loop.callSites))}`;
  });
  return `\nN+1 loops\n${lines.join('\n')}\n`;
}

function connectionFindings(report: QuerylensReport): string {
  if (report.connectionFindings.length === 0) return '';
  const lines = report.connectionFindings.map((finding) => `  ${finding.kind} pool ${terminalSafe(finding.pool)} at ${terminalSafe(callSiteText(finding.callSite))}`
    + `${finding.route === null ? '' : ` on ${terminalSafe(finding.route)}`}: ${formatCount(finding.count)}x, longest ${formatMs(finding.maxMs)}`
    + `${finding.kind === 'pool-client-leak' ? `, ${formatCount(finding.releasedLate)} released late` : ''}`);
  return `\nConnections\n${lines.join('\n')}\n`;
}

function findings(report: QuerylensReport): string {
  if (report.findings.length === 0) return 'Findings: none\n';
  const byRule = new Map<string, ReportFinding[]>();
  for (const finding of report.findings) byRule.set(finding.rule, [...byRule.get(finding.rule) ?? [], finding]);
  const blocks = [...byRule.entries()].map(([rule, list]) => {
    const first = list[0];
    const examples = list.map((finding) => `    ${oneLine(finding.example)}\n      ${terminalSafe(finding.message)} (${formatCount(finding.count)}x)${sentFrom(finding)}${fixLine(finding)}`);
    return `${first.severity} ${rule} (${first.category}, ${list.length} statement${list.length === 1 ? '' : 's'})\n  ${terminalSafe(first.suggestion)}\n${examples.join('\n')}`;
  });
  return `Findings\n${blocks.join('\n')}\n`;
}

function indexSuggestions(report: QuerylensReport): string {
  if (report.indexSuggestions.length === 0) return '';
  const blocks = report.indexSuggestions.map((suggestion) => {
    const how = suggestion.verified ? 'verified with HypoPG' : 'estimated from pg_stats, unverified';
    const figures = `cost ${formatCount(Math.round(suggestion.costBefore))} -> ${formatCount(Math.round(suggestion.costAfter))} (${how}); `
      + `${formatMs(suggestion.msPerHour)} per hour in these statements, ${Math.round(suggestion.timeShare * 100)}% of statement time`;
    const helped = suggestion.statements.map((statement) => `    ${oneLine(statement.query)}`);
    return `${terminalSafe(suggestion.ddl)}
  ${figures}
${helped.join('\n')}`;
  });
  return `\nIndex suggestions\n${blocks.join('\n')}\n`;
}

export function formatReportText(report: QuerylensReport, limit: number): string {
  const calls = report.queries.top.reduce((sum, query) => sum + query.calls, report.queries.other.calls);
  const header = `${terminalSafe(report.service.name)}: up ${formatDuration(report.uptimeSeconds)}, ${formatCount(calls)} executions since ${report.statsSince}, `
    + `${report.findings.length} findings, ${report.slowQueries.length} slow statements, ${report.nPlusOne.length} N+1 loops (querylens ${terminalSafe(report.service.agentVersion)})\n`;
  return `${header}\n${statements(report, limit)}\n${findings(report)}${nPlusOneLoops(report)}${connectionFindings(report)}${indexSuggestions(report)}`;
}
