/** The recorder's view of routes and call sites: per-route tallies at a request's end, a loop's route, a slow statement's site. */
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../agent/config';
import type { CallSite } from '../../core/callSite';
import type { QueryEvent } from '../../core/queryEvents';
import type { RequestScope } from '../../core/requestEvents';
import { MAX_SITES_PER_STATEMENT } from '../../recording/callSites';
import { createQueryRecorder } from '../../recording/queryRecorder';
import { StatementCache } from '../../recording/statementCache';
import { buildReport } from '../../report/buildReport';
import { renderStatusPage } from '../../http/statusPage/renderStatusPage';
import { formatReportText } from '../../agent/cli/formatReport';
import { loadSqlParser } from '../../sql/parse/parser';
import { CacheMetricsReader } from '../helpers/cacheMetrics';

const config = readConfig({ QUERYLENS_SLOW_QUERY_MS: '100' }, (line) => { throw new Error(line); });
const statements = new StatementCache({ maxSqlLength: config.maxSqlLength, disabledRules: new Set(), source: 'runtime' });
const server = { address: '127.0.0.1', port: 5432, database: 'test' };
const LOOP = 'SELECT id FROM ql_unit_orders WHERE customer_id = $1';
const SITE: CallSite = { file: 'src/orders.js', line: 42, column: 11, function: 'loadOrders' };

beforeAll(() => loadSqlParser());

function request(key: string, route: string): RequestScope {
  return { key, http: true, route: () => route };
}

function event(text: string, durationMs: number, extra: Partial<QueryEvent>): QueryEvent {
  const analysis = statements.analyze(text)!;
  return { analysis, text, values: undefined, durationSeconds: durationMs / 1000, rows: 1, errorCode: undefined, contextKey: extra.request?.key, traceId: undefined, endedAt: Date.now(), server, ...extra };
}

function recorded() {
  const recorder = createQueryRecorder(config, new CacheMetricsReader().meter);
  for (const key of ['req-1', 'req-2']) {
    const scope = request(key, 'GET /customers/:id/orders');
    for (let order = 0; order < 10; order += 1) recorder.onQuery(event(LOOP, 8, { request: scope, callSite: order === 0 ? SITE : undefined }));
    recorder.onRequestEnd({ key, route: 'GET /customers/:id/orders', endedAt: Date.now() });
  }
  recorder.onQuery(event('SELECT pg_sleep($1)', 150, { request: request('req-3', 'GET /reports/slow') }));
  recorder.onRequestEnd({ key: 'req-3', route: 'GET /reports/slow', endedAt: Date.now() });
  return recorder;
}

describe('routes in the recorder and the report', () => {
  it('counts requests, statements and database time per route when each request ends', () => {
    const report = buildReport({ serviceName: 's', agentVersion: 'v', startedAt: 0, now: 60_000, config, recorder: recorded() });
    expect(report.routes.map((route) => route.route)).toEqual(['GET /customers/:id/orders', 'GET /reports/slow']);
    expect(report.routes[0]).toMatchObject({ requests: 2, statementsPerRequest: 10, dbMsPerRequest: 80, totalMs: 160 });
    expect(report.routes[0].statements[0]).toMatchObject({ query: LOOP, callsPerRequest: 10, msPerRequest: 80, requestShare: 1, callSites: [{ ...SITE, samples: 2 }] });
  });

  it('names the loop\'s route and call site, and the slow statement\'s route', () => {
    const report = buildReport({ serviceName: 's', agentVersion: 'v', startedAt: 0, now: 60_000, config, recorder: recorded() });
    const loop = report.nPlusOne.find((candidate) => candidate.query === LOOP);
    expect(loop).toMatchObject({ loops: 2, routes: [{ route: 'GET /customers/:id/orders', loops: 2 }], callSites: [{ file: 'src/orders.js', line: 42, samples: 2 }] });
    expect(report.slowQueries[0]).toMatchObject({ lastRoute: 'GET /reports/slow', lastCallSite: null });
    expect(report.findings.find((finding) => finding.rule === 'n-plus-one')?.callSites).toEqual([{ ...SITE, samples: 2 }]);
  });

  it('keeps a few distinct sites per statement', () => {
    const recorder = createQueryRecorder(config, new CacheMetricsReader().meter);
    for (let line = 1; line <= MAX_SITES_PER_STATEMENT + 3; line += 1) recorder.onQuery(event(LOOP, 1, { callSite: { ...SITE, line } }));
    const fingerprint = recorder.topQueries()[0]!.fingerprint;
    expect(recorder.callSitesOf(fingerprint).map((sampled) => sampled.site.line)).toEqual([1, 2, 3, 4]);
  });

  it('shows the route and the site on the status page and in querylens report', () => {
    const report = buildReport({ serviceName: 's', agentVersion: 'v', startedAt: 0, now: 60_000, config, recorder: recorded() });
    const html = renderStatusPage(report, { sort: 'total', refreshSeconds: 0, path: '/querylens' });
    expect(html).toContain('<section id="routes">');
    expect(html).toContain('<td>GET /customers/:id/orders</td>');
    expect(html).toContain('src/orders.js:42 (loadOrders)');
    expect(formatReportText(report, 10)).toContain(`GET /customers/:id/orders runs ${LOOP} up to 10 times per request, from src/orders.js:42 (loadOrders)`);
  });
});
