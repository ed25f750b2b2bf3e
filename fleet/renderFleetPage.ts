/**
 * The status page's fleet mode (`querylens fleet`): the fleet report as one
 * HTML document with the status page's style sheet and tables, under the same
 * script-free Content-Security-Policy. Pure: report in, HTML out; every text
 * from Prometheus (statements, instance and pool names) is escaped.
 */
import { escapeHtml } from '../http/statusPage/escapeHtml';
import { formatCount, formatMs, formatRatio } from '../http/statusPage/formatValues';
import { PAGE_STYLE } from '../http/statusPage/pageStyle';
import { none, num, sql, table, txt, type Cell } from '../http/statusPage/pageParts';
import type { FleetReport, FleetTarget } from './fleetModel';
import { instancesDiffer, targetName } from './instanceSpread';

export interface FleetPageOptions {
  /** Seconds between automatic reloads (`<meta http-equiv="refresh">`); 0: none. */
  readonly refreshSeconds: number;
}

/** The per-instance cell: each instance's figures where they differ, else that they agree. */
function perInstance(entries: readonly { readonly target: FleetTarget; readonly figures: string }[], fleetSize: number): Cell {
  if (!instancesDiffer(entries.map((entry) => entry.figures), fleetSize)) return txt(`same on all ${fleetSize}`);
  const items = entries.map((entry) => `<li>${escapeHtml(targetName(entry.target))}: ${escapeHtml(entry.figures)}</li>`).join('');
  return { html: `<ul>${items}</ul>`, numeric: false };
}

function overview(report: FleetReport): string {
  const calls = report.statements.reduce((sum, statement) => sum + statement.calls, report.other.calls);
  const totalMs = report.statements.reduce((sum, statement) => sum + statement.totalMs, report.other.totalMs);
  const tiles: readonly [string, string][] = [
    ['Instances', `${report.instances.filter((instance) => instance.up === true).length} up / ${report.instances.length}`],
    ['Executions', formatCount(calls)],
    ['Statement time', formatMs(totalMs)],
    ['Findings (rules)', formatCount(report.findings.length)],
    ['Pools', formatCount(report.pools.length)],
  ];
  return `<ul class="overview">${tiles.map(([label, value]) => `<li>${escapeHtml(label)}<b>${escapeHtml(value)}</b></li>`).join('')}</ul>`;
}

function instances(report: FleetReport): string {
  const rows = report.instances.map((instance) => [txt(instance.job), txt(instance.instance),
    txt(instance.up === undefined ? '?' : instance.up ? 'up' : 'DOWN'), txt(instance.service ?? '–'), txt(instance.agentVersion ?? '–')]);
  return rows.length === 0 ? none('no instance exports querylens metrics to this Prometheus') : table(['job', 'instance', 'up', 'service', 'agent'], rows);
}

function statements(report: FleetReport): string {
  const size = report.instances.length;
  const rows = report.statements.map((statement) => [sql(statement.query || `(fingerprint ${statement.fingerprint})`), num(formatCount(statement.calls)),
    num(formatMs(statement.totalMs)), num(formatMs(statement.meanMs)), num(formatRatio(statement.shareOfTime)), num(formatCount(statement.errors)),
    num(`${statement.instances.length}/${size}`),
    perInstance(statement.instances.map((entry) => ({ target: entry, figures: `${formatCount(entry.calls)} calls, ${formatMs(entry.totalMs)}` })), size)]);
  return rows.length === 0 ? none('no statement recorded') : table(['statement', 'calls', 'total', 'mean', '% of time', 'errors', 'instances', 'per instance'], rows);
}

function findings(report: FleetReport): string {
  const size = report.instances.length;
  const rows = report.findings.map((finding) => [{ html: `<span class="sev-${escapeHtml(finding.severity)}">${escapeHtml(finding.severity)}</span>`, numeric: false },
    txt(finding.rule), txt(finding.category || 'runtime'), num(formatCount(finding.executions)), num(formatCount(finding.maxFingerprints)),
    num(`${finding.instances.length}/${size}`),
    perInstance(finding.instances.map((entry) => ({ target: entry, figures: `${formatCount(entry.executions)}×, ${entry.fingerprints} statement(s)` })), size)]);
  return rows.length === 0 ? none('no finding') : table(['severity', 'rule', 'category', 'flagged executions', 'statements (most on one instance)', 'instances', 'per instance'], rows);
}

function pools(report: FleetReport): string {
  const size = report.instances.length;
  const rows = report.pools.map((pool) => [txt(pool.pool), num(formatRatio(pool.maxSaturation)), num(formatRatio(pool.saturation)), num(`${pool.used}/${pool.max}`),
    num(formatCount(pool.pending)), num(formatCount(pool.timeouts)),
    perInstance(pool.instances.map((entry) => ({ target: entry, figures: `${entry.used}/${entry.max} (${formatRatio(entry.saturation)}), ${entry.pending} waiting` })), size)]);
  return rows.length === 0 ? none('no pool') : table(['pool', 'most saturated', 'fleet', 'used / max', 'waiting', 'timeouts', 'per instance'], rows);
}

function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${escapeHtml(title)}</h2>${body}</section>`;
}

export function renderFleetPage(report: FleetReport, options: FleetPageOptions): string {
  const scope = `${report.scope.jobs.length === 0 ? 'every job' : `job ${report.scope.jobs.join(', ')}`}; `
    + `${report.scope.window === undefined ? 'totals since each process started' : `increase over the last ${report.scope.window}`}; from ${report.prometheus} at ${report.generatedAt}`;
  const refresh = options.refreshSeconds > 0 ? `<meta http-equiv="refresh" content="${options.refreshSeconds}">` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">${refresh}<title>querylens fleet</title><style>${PAGE_STYLE}</style></head><body>`
    + `<header><h1>querylens fleet</h1><span class="muted">${escapeHtml(scope)}</span></header>${overview(report)}`
    + section('instances', 'Instances', instances(report))
    + section('statements', 'Top statements by total time across the fleet', statements(report))
    + section('findings', 'Findings by rule', findings(report))
    + section('pools', 'Pools by saturation', pools(report))
    + '</body></html>';
}
