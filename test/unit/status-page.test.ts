/**
 * The status page renderer and the report fields it reads, without a server:
 * a real recorder fed statements whose identifiers and comments are markup,
 * pools and caches with hostile names, and EXPLAIN plans as trees.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../agent/config';
import type { QueryEvent } from '../../core/queryEvents';
import { createQueryRecorder } from '../../recording/queryRecorder';
import { buildReport } from '../../report/buildReport';
import type { QuerylensReport } from '../../report/reportModel';
import { loadSqlParser } from '../../sql/parse/parser';
import { StatementCache } from '../../recording/statementCache';
import { escapeHtml } from '../../http/statusPage/escapeHtml';
import { renderPlanTree } from '../../http/statusPage/planTree';
import { renderStatusPage } from '../../http/statusPage/renderStatusPage';
import { formatReportText } from '../../agent/cli/formatReport';
import { parseStatementSort, sortStatements } from '../../http/statusPage/statementSort';
import type { CacheSummary } from '../../instrumentations/cacheTelemetry/cacheStatistics';
import { CacheMetricsReader } from '../helpers/cacheMetrics';

const MARKUP = '<img src=x onerror=alert(1)>';
const config = readConfig({}, (line) => { throw new Error(line); });
const statements = new StatementCache({ maxSqlLength: config.maxSqlLength, disabledRules: new Set(), source: 'runtime' });
const server = { address: '127.0.0.1', port: 5432, database: 'test' };

beforeAll(() => loadSqlParser());

function event(text: string, durationSeconds: number): QueryEvent {
  const analysis = statements.analyze(text);
  if (analysis === undefined) throw new Error('parser not loaded');
  return { analysis, text, values: undefined, durationSeconds, rows: 1, errorCode: undefined, contextKey: undefined, traceId: undefined, endedAt: Date.now(), server };
}

function cache(name: string, layer: 'memory' | 'redis', hits: number, misses: number): CacheSummary {
  return {
    name, layer, hits, misses, stale: 0, errors: 0,
    evictions: { evict: 2, set: 0, delete: 1, expire: 0, fetch: 0, other: 0 },
    entries: layer === 'memory' ? 3 : undefined, maxEntries: layer === 'memory' ? 10 : undefined,
  };
}

function hostileReport(): QuerylensReport {
  const recorder = createQueryRecorder(config, new CacheMetricsReader().meter);
  for (let i = 0; i < 3; i += 1) recorder.onQuery(event(`SELECT * FROM "${MARKUP}" /* <script>alert(2)</script> */`, 0.004));
  recorder.onQuery(event('SELECT id FROM ql_unit_orders WHERE note LIKE $1', 0.020));
  recorder.onQuery(event('SELECT id FROM ql_unit_orders WHERE note LIKE $1', 0.010));
  return buildReport({
    serviceName: `svc ${MARKUP}`, agentVersion: 'v', startedAt: 0, now: 60_000, config, recorder,
    redisCommands: [{ server: `redis ${MARKUP}:6379`, database: 0, command: 'GET', calls: 12, errors: 1, p95Ms: 0.75 }],
    pools: [{ name: `pool ${MARKUP}`, total: 4, idle: 1, used: 3, pending: 2, max: 10, min: 0, checkouts: 7, waitP95Ms: 12.5 }],
    caches: [cache(`mem ${MARKUP}`, 'memory', 3, 1), cache('untouched', 'memory', 0, 0), cache(`redis ${MARKUP}`, 'redis', 1, 1)],
  });
}

describe('report fields for the page', () => {
  it('carries pools as read, caches with hit ratio and summed evictions, and the statistics start', () => {
    const report = hostileReport();
    expect(report.pools).toEqual([{
      name: `pool ${MARKUP}`, total: 4, idle: 1, used: 3, pending: 2, max: 10, min: 0, checkouts: 7, waitP95Ms: 12.5, history: { minutes: [], hours: [] },
    }]);
    expect(report.caches[0]).toMatchObject({ layer: 'memory', hitRatio: 0.75, evictions: 3, entries: 3, maxEntries: 10 });
    expect(report.caches[1].hitRatio).toBeNull();
    expect(report.caches[2]).not.toHaveProperty('entries');
    expect(report.statsSince).toBe(report.startedAt);
  });
});

describe('a fix on the page', () => {
  it('carries a runtime finding\'s fix from the recorder to the report and shows its statements in a <pre>, escaped', () => {
    const recorder = createQueryRecorder(config, new CacheMetricsReader().meter);
    recorder.onQuery(event(`REFRESH MATERIALIZED VIEW "${MARKUP}"`, 0.004));
    const report = buildReport({ serviceName: 's', agentVersion: 'v', startedAt: 0, now: 60_000, config, recorder });
    const finding = report.findings.find((candidate) => candidate.rule === 'require-concurrent-refresh');
    expect(finding?.fix).toEqual({
      description: expect.stringMatching(/^Refreshes with CONCURRENTLY/) as unknown,
      statements: [`REFRESH MATERIALIZED VIEW CONCURRENTLY "${MARKUP}"`],
      outsideTransaction: false,
    });
    const html = renderStatusPage(report, { sort: 'total', refreshSeconds: 0, path: '/querylens' });
    expect(html).toContain(`<pre>${escapeHtml(`REFRESH MATERIALIZED VIEW CONCURRENTLY "${MARKUP}";`)}</pre>`);
    expect(html).not.toContain('<img');
    // `querylens report` prints the same fix under the finding.
    expect(formatReportText(report, 10).split('\n')).toContainEqual(`      fix: REFRESH MATERIALIZED VIEW CONCURRENTLY "${MARKUP}";`);
  });
});

describe('renderStatusPage', () => {
  it('escapes every string from the report: no element or script can come from it', () => {
    const html = renderStatusPage(hostileReport(), { sort: 'total', refreshSeconds: 0, path: '/querylens' });
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    // The statement, the service, the pool and both caches all show the text, escaped.
    expect(html.split(escapeHtml(MARKUP)).length - 1).toBeGreaterThanOrEqual(6);
    expect(html).not.toContain('style=');
  });

  it('links each sortable column and marks the current sort, keeping the refresh choice', () => {
    const html = renderStatusPage(hostileReport(), { sort: 'mean', refreshSeconds: 5, path: '/querylens' });
    expect(html).toContain('<a class="sorted" href="/querylens?sort=mean&amp;refresh=5">mean ▼</a>');
    expect(html).toContain('href="/querylens?sort=calls&amp;refresh=5"');
    expect(html).toContain('<meta http-equiv="refresh" content="5">');
    expect(renderStatusPage(hostileReport(), { sort: 'total', refreshSeconds: 0, path: '/querylens' })).not.toContain('http-equiv');
  });

  it('renders every section, with a note where there is no data yet', () => {
    const html = renderStatusPage(hostileReport(), { sort: 'total', refreshSeconds: 0, path: '/querylens' });
    for (const id of ['overview', 'statements', 'findings', 'index-suggestions', 'slow', 'n-plus-one', 'routes', 'pools', 'connections', 'redis', 'caches', 'cache-candidates']) {
      expect(html).toContain(`<section id="${id}">`);
    }
    expect(html).toContain('no N+1 loop detected yet');
    expect(html).toContain('no index suggestion yet');
    expect(html).toContain('75.0 %');
    expect(html).toContain('<th>wait p95</th>');
    expect(html).toContain('<td>GET</td>');
    expect(html).toContain('0.75 ms');
    expect(html).toContain('12.5 ms');
    // A live cache with nothing counted yet is shown; a name with neither counts nor a live cache is not.
    expect(html).toContain('<td>untouched</td>');
  });

  it('shows a tiered cache\'s events on its memory row and its breaker on its Redis row', () => {
    const report = hostileReport();
    const tiered = [
      { ...report.caches[0], name: 'tiered-emails', events: { write_invalidation: 12, grace_hit: 3 } },
      { ...report.caches[2], name: 'tiered-emails', breaker: 'half_open' as const },
    ];
    const html = renderStatusPage({ ...report, caches: [...report.caches, ...tiered] }, { sort: 'total', refreshSeconds: 0, path: '/querylens' });
    expect(html).toContain('<th>events</th>');
    expect(html).toContain('<td>write invalidation 12 · grace hit 3</td>');
    expect(html).toContain('<th>breaker</th>');
    expect(html).toContain('<td>half-open</td>');
  });

  it('leaves out cache names with nothing counted and no live cache', () => {
    const report = hostileReport();
    const leftover = { ...report.caches[1], name: 'creation-site.cjs:12', evictions: 0, entries: undefined, maxEntries: undefined };
    const html = renderStatusPage({ ...report, caches: [...report.caches, leftover] }, { sort: 'total', refreshSeconds: 0, path: '/querylens' });
    expect(html).not.toContain('creation-site.cjs:12');
  });
});

describe('statement sort', () => {
  it('orders by the chosen column, largest first; unknown values fall back to total time', () => {
    const top = hostileReport().queries.top;
    const byCalls = sortStatements(top, 'calls');
    expect(byCalls[0].calls).toBe(Math.max(...top.map((query) => query.calls)));
    const byMean = sortStatements(top, 'mean');
    expect(byMean[0].meanMs).toBe(Math.max(...top.map((query) => query.meanMs)));
    expect(parseStatementSort('calls')).toBe('calls');
    expect(parseStatementSort('toString')).toBe('total');
    expect(parseStatementSort(null)).toBe('total');
  });
});

describe('renderPlanTree', () => {
  const plan = [{ Plan: {
    'Node Type': 'Aggregate', Strategy: 'Hashed', 'Total Cost': 2237.5, 'Plan Rows': 50,
    Plans: [{ 'Node Type': 'Seq Scan', 'Relation Name': MARKUP, Alias: 'o', 'Total Cost': 2137, 'Plan Rows': 20000, Filter: `(note ~~ '${MARKUP}'::text)` }],
  } }];

  it('nests child nodes inside their parent, escaping names and expressions', () => {
    const html = renderPlanTree(plan);
    expect(html).toMatch(/^<ul class="plan"><li><strong>Aggregate<\/strong> Hashed .*<ul><li><strong>Seq Scan<\/strong> on <code>&lt;img/);
    expect(html).toContain(`Filter:</span> <code>(note ~~ &#39;${escapeHtml(MARKUP)}&#39;::text)</code>`);
    expect(html).not.toContain('<img');
  });

  it('survives what is not a plan and plans deeper than it shows', () => {
    expect(renderPlanTree('nonsense')).toContain('no plan');
    let deep: Record<string, unknown> = { 'Node Type': 'Leaf' };
    for (let i = 0; i < 200; i += 1) deep = { 'Node Type': 'Nested Loop', Plans: [deep] };
    expect(renderPlanTree([{ Plan: deep }])).toContain('deeper nodes not shown');
  });
});
