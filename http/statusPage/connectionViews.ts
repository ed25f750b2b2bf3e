/**
 * The status page's views of where the database time goes by route, and of
 * how the app holds its connections: leaked pool clients, long and idle
 * transactions, and the clients held longest right now.
 */
import type { QuerylensReport } from '../../report/reportModel';
import { callSiteText, callSitesText } from './callSiteText';
import { formatCount, formatMs } from './formatValues';
import { none, num, sql, table, txt } from './pageParts';

export function routeTable(report: QuerylensReport): string {
  const rows = report.routes.map((route) => {
    const busiest = route.statements[0];
    return [
      txt(route.route), num(formatCount(route.requests)), num(route.statementsPerRequest.toFixed(1)), num(formatMs(route.dbMsPerRequest)),
      busiest === undefined ? txt('–') : sql(busiest.query), num(busiest === undefined ? '–' : busiest.callsPerRequest.toFixed(1)),
      txt(busiest === undefined ? '–' : callSitesText(busiest.callSites)),
    ];
  });
  return rows.length === 0 ? none('no HTTP request ended yet') : table(
    ['route', 'requests', 'statements / request', 'database time / request', 'busiest statement', 'its calls / request', 'sent from'], rows);
}

export function connectionFindingTable(report: QuerylensReport): string {
  const rows = report.connectionFindings.map((finding) => [
    txt(finding.kind), txt(finding.pool), txt(callSiteText(finding.callSite)), txt(finding.route ?? '–'), num(formatCount(finding.count)),
    num(formatMs(finding.maxMs)), num(finding.kind === 'pool-client-leak' ? formatCount(finding.releasedLate) : '–'), txt(finding.lastSeen),
  ]);
  return rows.length === 0 ? none('no leaked client, long transaction or idle transaction') : table(
    ['finding', 'pool', 'call site', 'route', 'count', 'longest', 'released late', 'last seen'], rows);
}

export function heldClientTable(report: QuerylensReport): string {
  const rows = report.heldClients.map((client) => [
    txt(client.pool), num(formatMs(client.heldMs)), txt(callSiteText(client.callSite)), txt(client.route ?? '–'), txt(client.leaked ? 'leak' : ''),
  ]);
  return rows.length === 0 ? none('no client checked out right now') : table(['pool', 'held for', 'checked out at', 'route', ''], rows);
}
