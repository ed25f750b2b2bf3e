/** How a call site reads on the status page: `src/orders.js:42 (loadOrders)`, or a dash when none was sampled. */
import type { ReportCallSite } from '../../report/reportModel';

export function callSiteText(site: ReportCallSite | null | undefined): string {
  if (site === null || site === undefined) return '–';
  return site.function === null ? `${site.file}:${site.line}` : `${site.file}:${site.line} (${site.function})`;
}

/** A statement's sampled sites, most sampled first, on one line. */
export function callSitesText(sites: readonly ReportCallSite[]): string {
  return sites.length === 0 ? '–' : sites.map(callSiteText).join(', ');
}
