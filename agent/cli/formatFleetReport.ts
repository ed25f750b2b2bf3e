/**
 * `querylens report --prometheus` in a terminal: the fleet's instances, its
 * top statements by total time, findings by rule and pools by saturation,
 * each with a per-instance line where the instances differ. Pure: fleet
 * report in, text out; every text from Prometheus goes through terminalSafe.
 */
import type { FleetFinding, FleetPool, FleetReport, FleetStatement } from '../../fleet/fleetModel';
import { formatCount, formatMs, formatRatio } from '../../http/statusPage/formatValues';
import { instancesDiffer as differs, targetName } from '../../fleet/instanceSpread';
import { columns, oneLine, terminalSafe } from './formatReport';

const NUMERIC = new Set([0, 1, 2, 3, 4]);

function perInstance(parts: readonly string[]): string {
  return `      per instance: ${parts.join(' · ')}`;
}

function scopeText(report: FleetReport): string {
  const jobs = report.scope.jobs.length === 0 ? 'every job' : `job ${report.scope.jobs.map(terminalSafe).join(', ')}`;
  const window = report.scope.window === undefined ? 'totals since each process started' : `increase over the last ${report.scope.window}`;
  return `${jobs}, ${window}, from ${terminalSafe(report.prometheus)} at ${report.generatedAt}`;
}

function instances(report: FleetReport): string {
  const up = report.instances.filter((instance) => instance.up === true).length;
  const head = `Fleet: ${report.instances.length} instance${report.instances.length === 1 ? '' : 's'} (${up} up); ${scopeText(report)}\n`;
  if (report.instances.length === 0) return `${head}No instance exports querylens metrics to this Prometheus${report.scope.jobs.length === 0 ? '' : ' in these jobs'}.\n`;
  const rows = [['job', 'instance', 'up', 'service', 'agent'], ...report.instances.map((instance) => [terminalSafe(instance.job), terminalSafe(instance.instance),
    instance.up === undefined ? '?' : instance.up ? 'up' : 'DOWN', terminalSafe(instance.service ?? '–'), terminalSafe(instance.agentVersion ?? '–')])];
  return `${head}${columns(rows, new Set())}\n`;
}

function statementLines(statement: FleetStatement, fleetSize: number): string[] {
  const figures = statement.instances.map((entry) => `${formatCount(entry.calls)} calls ${formatMs(entry.totalMs)}`);
  if (!differs(figures, fleetSize)) return [];
  return [perInstance(statement.instances.map((entry, index) => `${terminalSafe(targetName(entry))} ${figures[index]}`))];
}

function statements(report: FleetReport, limit: number): string {
  const top = report.statements.slice(0, limit);
  if (top.length === 0) return 'Top statements across the fleet: none recorded\n';
  const fleetSize = report.instances.length;
  const rows = [['calls', 'total', 'mean', 'share', 'instances', 'statement'], ...top.map((statement) => [formatCount(statement.calls), formatMs(statement.totalMs),
    formatMs(statement.meanMs), formatRatio(statement.shareOfTime), `${statement.instances.length}/${fleetSize}`, oneLine(statement.query || `(fingerprint ${statement.fingerprint})`)])];
  const table = columns(rows, NUMERIC).split('\n');
  const lines = [table[0], ...top.flatMap((statement, index) => [table[index + 1], ...statementLines(statement, fleetSize)])];
  const more = report.statements.length > top.length ? [`(${report.statements.length - top.length} more; --limit to show them)`] : [];
  const other = report.other.calls > 0 ? [`(statements without a series of their own: ${formatCount(report.other.calls)} calls, ${formatMs(report.other.totalMs)})`] : [];
  return `Top statements by total time across the fleet\n${[...lines, ...more, ...other].join('\n')}\n`;
}

function finding(entry: FleetFinding, fleetSize: number): string {
  const statementsText = `${entry.maxFingerprints} statement${entry.maxFingerprints === 1 ? '' : 's'}`;
  const head = `${terminalSafe(entry.severity)} ${terminalSafe(entry.rule)} (${terminalSafe(entry.category || 'runtime')}): ${formatCount(entry.executions)} flagged executions, `
    + `up to ${statementsText} per instance, on ${entry.instances.length}/${fleetSize} instances`;
  const figures = entry.instances.map((instance) => `${formatCount(instance.executions)}x, ${instance.fingerprints} statement${instance.fingerprints === 1 ? '' : 's'}`);
  if (!differs(figures, fleetSize)) return head;
  return `${head}\n${perInstance(entry.instances.map((instance, index) => `${terminalSafe(targetName(instance))} ${figures[index]}`))}`;
}

function findings(report: FleetReport): string {
  if (report.findings.length === 0) return 'Findings across the fleet: none\n';
  return `Findings by rule across the fleet\n${report.findings.map((entry) => finding(entry, report.instances.length)).join('\n')}\n`;
}

function poolLines(pool: FleetPool, fleetSize: number): string[] {
  const figures = pool.instances.map((entry) => `${entry.used}/${entry.max} ${formatRatio(entry.saturation)}${entry.pending > 0 ? `, ${entry.pending} waiting` : ''}`);
  if (!differs(figures, fleetSize)) return [];
  return [perInstance(pool.instances.map((entry, index) => `${terminalSafe(targetName(entry))} ${figures[index]}`))];
}

function pools(report: FleetReport): string {
  if (report.pools.length === 0) return 'Pools across the fleet: none\n';
  const fleetSize = report.instances.length;
  const rows = [['most saturated', 'fleet', 'used/max', 'waiting', 'timeouts', 'pool'], ...report.pools.map((pool) => [formatRatio(pool.maxSaturation),
    formatRatio(pool.saturation), `${pool.used}/${pool.max}`, formatCount(pool.pending), formatCount(pool.timeouts), `${terminalSafe(pool.pool)} (${pool.instances.length}/${fleetSize} instances)`])];
  const table = columns(rows, NUMERIC).split('\n');
  const lines = [table[0], ...report.pools.flatMap((pool, index) => [table[index + 1], ...poolLines(pool, fleetSize)])];
  return `Pools by saturation (connections in use / pool maximum)\n${lines.join('\n')}\n`;
}

export function formatFleetReportText(report: FleetReport, limit: number): string {
  return [instances(report), statements(report, limit), findings(report), pools(report)].join('\n');
}
