/**
 * `GET /querylens`: reads `?sort=`, `?refresh=` and `?statement=` (a detail view), renders the current
 * report and answers with headers that forbid script, framing, sniffing,
 * referrers and caching.
 */
import type { ServerResponse } from 'node:http';
import type { QuerylensReport } from '../../report/reportModel';
import { ROUTE_PATHS } from '../routePaths';
import type { Route } from '../server';
import { PAGE_STYLE_CSP_SOURCE } from './pageStyle';
import { renderStatusPage } from './renderStatusPage';
import { parseStatementSort } from './statementSort';
import { queryOf } from '../queryString';

/** Longest automatic reload interval accepted from `?refresh=` (an hour). */
const MAX_REFRESH_SECONDS = 3600;
/** Longer than any fingerprint (16 hex digits, or `h:` and a hash): anything longer names none. */
const MAX_FINGERPRINT_CHARS = 80;

export const STATUS_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': `default-src 'none'; style-src ${PAGE_STYLE_CSP_SOURCE}; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export function parseRefresh(value: string | null): number {
  if (value === null || !/^\d{1,4}$/.test(value)) return 0;
  return Math.min(Number(value), MAX_REFRESH_SECONDS);
}

function parseStatement(value: string | null): string | undefined {
  return value === null || value === '' ? undefined : value.slice(0, MAX_FINGERPRINT_CHARS);
}

function send(res: ServerResponse, html: string): void {
  res.writeHead(200, { ...STATUS_PAGE_HEADERS, 'content-length': Buffer.byteLength(html) });
  res.end(html);
}

export function statusPageRoute(report: () => QuerylensReport): Route {
  return {
    method: 'GET',
    path: ROUTE_PATHS.statusPage,
    handler: (req, res) => {
      const query = queryOf(req.url);
      send(res, renderStatusPage(report(), {
        sort: parseStatementSort(query.get('sort')),
        refreshSeconds: parseRefresh(query.get('refresh')),
        path: ROUTE_PATHS.statusPage,
        statement: parseStatement(query.get('statement')),
      }));
    },
  };
}
