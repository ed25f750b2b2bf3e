/**
 * The status page (`GET /querylens`) as one HTML document, rendered from the
 * report model. Pure: report and options in, HTML out. Every string from the
 * report goes through `escapeHtml` (statement texts, identifiers and comments
 * can carry markup); the page holds no script and one hashed style sheet.
 */
import type { QuerylensReport, ReportCache, ReportFinding } from '../../report/reportModel';
import { escapeHtml } from './escapeHtml';
import { formatCount, formatDuration, formatMs, formatRate, formatRatio } from './formatValues';
import { cacheChart, poolCharts, statementSparkline } from './historyCharts';
import { errorsWithCodes, markup, none, num, shareOfTotal, sql, table, txt, type Cell } from './pageParts';
import { PAGE_STYLE } from './pageStyle';
import { renderPlanTree } from './planTree';
import { statementView } from './statementView';
import { callSiteText, callSitesText } from './callSiteText';
import { connectionFindingTable, heldClientTable, routeTable } from './connectionViews';
import { STATEMENT_SORTS, type StatementSort, sortStatements } from './statementSort';

export interface StatusPageOptions {
  readonly sort: StatementSort;
  /** Seconds between automatic reloads (`<meta http-equiv="refresh">`); 0: none. */
  readonly refreshSeconds: number;
  /** Where the page is served, for its own links. */
  readonly path: string;
  /** `?statement=`: the fingerprint whose detail view is shown instead of the overview. */
  readonly statement?: string;
}

/** Choices offered as links; any other `?refresh=` value within bounds works too. */
const REFRESH_CHOICES = [0, 5, 30] as const;

const SECTIONS = [
  ['overview', 'Overview'],
  ['statements', 'Top statements'],
  ['findings', 'Findings'],
  ['index-suggestions', 'Index suggestions'],
  ['slow', 'Slow statements'],
  ['n-plus-one', 'N+1 loops'],
  ['routes', 'Routes'],
  ['pools', 'Pools'],
  ['connections', 'Connections'],
  ['redis', 'Redis'],
  ['caches', 'Caches'],
  ['cache-candidates', 'Cache candidates'],
] as const;

type SectionId = (typeof SECTIONS)[number][0];

function section(id: SectionId, body: string, note = ''): string {
  const title = SECTIONS.find(([sectionId]) => sectionId === id)?.[1] ?? id;
  return `<section id="${id}"><h2>${escapeHtml(title)}</h2>${note === '' ? '' : `<p class="muted">${escapeHtml(note)}</p>`}${body}</section>`;
}

function pageLink(options: StatusPageOptions, change: Partial<Pick<StatusPageOptions, 'sort' | 'refreshSeconds' | 'statement'>>): string {
  const params = new URLSearchParams();
  params.set('sort', change.sort ?? options.sort);
  const refresh = change.refreshSeconds ?? options.refreshSeconds;
  if (refresh > 0) params.set('refresh', String(refresh));
  const statement = 'statement' in change ? change.statement : options.statement;
  if (statement !== undefined) params.set('statement', statement);
  return `${options.path}?${params.toString()}`;
}

function allExecutions(report: QuerylensReport): { calls: number; errors: number } {
  const calls = report.queries.top.reduce((sum, query) => sum + query.calls, report.queries.other.calls);
  const errors = report.queries.top.reduce((sum, query) => sum + query.errors, report.queries.other.errors);
  return { calls, errors };
}

function overview(report: QuerylensReport): string {
  const { calls, errors } = allExecutions(report);
  const statsSeconds = Math.max(1, (Date.parse(report.generatedAt) - Date.parse(report.statsSince)) / 1000);
  const tiles: readonly [string, string][] = [
    ['service', report.service.name],
    ['uptime', formatDuration(report.uptimeSeconds)],
    ['queries/s', formatRate(calls / statsSeconds)],
    ['p95', calls === 0 ? '–' : formatMs(report.queries.p95Ms)],
    ['errors', formatCount(errors)],
    ['statements', formatCount(report.queries.top.length)],
    ['findings', formatCount(report.findings.length)],
  ];
  const list = `<ul class="overview">${tiles.map(([label, value]) => `<li>${escapeHtml(label)}<b>${escapeHtml(value)}</b></li>`).join('')}</ul>`;
  return section('overview', list,
    `querylens ${report.service.agentVersion}; statistics since ${report.statsSince} (${formatCount(calls)} executions); queries/s is the average over that time; slow threshold ${report.thresholds.slowQueryMs} ms.`);
}

function statements(report: QuerylensReport, options: StatusPageOptions): string {
  const sortHeader = (sort: StatementSort, label: string): string => (sort === options.sort
    ? `<a class="sorted" href="${escapeHtml(pageLink(options, { sort }))}">${escapeHtml(label)} ▼</a>`
    : `<a href="${escapeHtml(pageLink(options, { sort }))}">${escapeHtml(label)}</a>`);
  const rows = sortStatements(report.queries.top, options.sort).map((query) => [
    markup(`<a href="${escapeHtml(pageLink(options, { statement: query.fingerprint }))}"><code>${escapeHtml(query.query)}</code></a>`),
    txt(query.operation), num(formatCount(query.calls)), num(formatMs(query.totalMs)), num(formatRatio(shareOfTotal(report, query))), num(formatMs(query.meanMs)),
    num(formatMs(query.p95Ms)), num(formatMs(query.maxMs)), num(formatCount(query.rows)), num(errorsWithCodes(query)), markup(statementSparkline(report, query)),
  ]);
  const body = rows.length === 0 ? none('no statement recorded yet') : table(
    ['statement', 'operation', sortHeader('calls', 'calls'), sortHeader('total', 'total time'), '% of total', sortHeader('mean', 'mean'), 'p95', 'max', 'rows', 'errors (SQLSTATE)', 'time per minute, last hour'], rows);
  return section('statements', body,
    `sorted by ${STATEMENT_SORTS[options.sort].label}, largest first; % of total is the share of all statement time since ${report.statsSince}; a statement's text opens its charts`);
}

/** A finding's fix: what it does, then its statements as one script to copy. */
function fixBlock(finding: ReportFinding): string {
  const { fix } = finding;
  if (fix === undefined) return '';
  return `<p class="muted">fix: ${escapeHtml(fix.description)}</p><pre>${escapeHtml(fix.statements.map((statement) => `${statement};`).join('\n'))}</pre>`;
}

function findings(report: QuerylensReport): string {
  const byRule = new Map<string, ReportFinding[]>();
  for (const finding of report.findings) byRule.set(finding.rule, [...byRule.get(finding.rule) ?? [], finding]);
  const groups = [...byRule.entries()].map(([rule, list]) => {
    const first = list[0];
    const examples = list.map((finding) => `<li><code>${escapeHtml(finding.example)}</code> <span class="muted">${escapeHtml(finding.message)} (${escapeHtml(formatCount(finding.count))}×)`
      + `${finding.callSites.length === 0 ? '' : `; sent from ${escapeHtml(callSitesText(finding.callSites))}`}</span>${fixBlock(finding)}</li>`).join('');
    return `<div class="finding"><span class="sev-${escapeHtml(first.severity)}">${escapeHtml(first.severity)}</span> <strong>${escapeHtml(rule)}</strong> <span class="muted">${escapeHtml(first.category)}, ${escapeHtml(formatCount(list.length))} statement(s)</span>`
      + `<p>${escapeHtml(first.suggestion)}</p><ul>${examples}</ul></div>`;
  });
  return section('findings', groups.length === 0 ? none('no finding yet') : groups.join(''));
}

function indexSuggestions(report: QuerylensReport): string {
  const items = report.indexSuggestions.map((suggestion) => {
    const how = suggestion.verified ? 'verified with HypoPG' : 'estimated from pg_stats, unverified (HypoPG is not installed)';
    const figures = `estimated cost ${formatCount(Math.round(suggestion.costBefore))} → ${formatCount(Math.round(suggestion.costAfter))}, ${how}; `
      + `${formatMs(suggestion.msPerHour)} per hour in these statements (${formatRatio(suggestion.timeShare)} of statement time)`;
    const rows = suggestion.statements.map((statement) => [
      sql(statement.query), num(formatCount(Math.round(statement.costBefore))), num(formatCount(Math.round(statement.costAfter))),
      num(statement.msPerHour === null ? '–' : formatMs(statement.msPerHour)),
    ]);
    return `<div class="finding"><pre>${escapeHtml(suggestion.ddl)}</pre><p class="muted">${escapeHtml(figures)}</p>${table(['statement', 'cost before', 'cost after', 'time per hour'], rows)}</div>`;
  });
  return section('index-suggestions', items.length === 0 ? none(report.thresholds.indexAdvisor === 'off' ? 'the index advisor is off (QUERYLENS_INDEX_ADVISOR=off)' : 'no index suggestion yet') : items.join(''),
    'indexes that cut the estimated cost of explained statements by half or more; run them as shown (CONCURRENTLY, outside a transaction block)');
}

function slowStatements(report: QuerylensReport): string {
  const items = report.slowQueries.map((slow) => {
    const explain = slow.explain === undefined ? 'not explained' : `EXPLAIN ${slow.explain.outcome}${slow.explain.reason === undefined ? '' : ` (${slow.explain.reason})`}`;
    const where = `${slow.lastRoute === null ? '' : ` on ${slow.lastRoute}`}${slow.lastCallSite === null ? '' : ` from ${callSiteText(slow.lastCallSite)}`}`;
    const figures = `${formatCount(slow.slowExecutions)} slow execution(s), max ${formatMs(slow.maxMs)}, last ${formatMs(slow.lastMs)} at ${slow.lastSeen}${where}; ${explain}`;
    const plan = slow.plan === undefined ? '' : `<p class="muted">plan: ${escapeHtml(slow.plan.summary)} (explained ${escapeHtml(slow.plan.explainedAt)})</p>${renderPlanTree(slow.plan.plan)}`;
    return `<div class="finding"><pre>${escapeHtml(slow.query)}</pre><p class="muted">${escapeHtml(figures)}</p>${plan}</div>`;
  });
  return section('slow', items.length === 0 ? none('no statement over the slow threshold yet') : items.join(''),
    `statements slower than ${report.thresholds.slowQueryMs} ms; read-only ones are EXPLAINed (never ANALYZE) on the agent's own connection`);
}

function nPlusOne(report: QuerylensReport): string {
  const rows = report.nPlusOne.map((loop) => [
    sql(loop.query), txt(loop.routes.length === 0 ? '–' : loop.routes.map((route) => route.route).join(', ')), txt(callSitesText(loop.callSites)),
    num(formatCount(loop.loops)), num(formatCount(loop.maxRepetitions)), num(formatMs(loop.maxTotalMs)), txt(loop.lastSeen),
  ]);
  return section('n-plus-one', rows.length === 0 ? none('no N+1 loop detected yet') : table(['statement', 'route', 'sent from', 'units of work with a loop', 'most repetitions', 'most time in one unit', 'last seen'], rows),
    `the same statement ≥ ${report.thresholds.nPlusOne} times in one unit of work (a request, or else the app's span), ≥ ${report.thresholds.nPlusOneMinMs} ms in total`);
}

function pools(report: QuerylensReport): string {
  const rows = report.pools.map((pool) => [
    txt(pool.name), num(formatCount(pool.used)), num(formatCount(pool.idle)), num(formatCount(pool.max)), num(formatCount(pool.pending)),
    num(formatCount(pool.checkouts)), num(pool.checkouts === 0 ? '–' : formatMs(pool.waitP95Ms)),
  ]);
  const charts = report.pools.map((pool) => poolCharts(report, pool)).join('');
  return section('pools', rows.length === 0 ? none('no pg.Pool in use') : table(['pool', 'used', 'idle', 'max', 'waiting callers', 'checkouts', 'wait p95'], rows) + charts,
    'connections read from the live pools now; checkout waits since the agent started; the charts show the last hour per minute (connections: the most seen in samples every 5 s)');
}

function routes(report: QuerylensReport): string {
  return section('routes', routeTable(report),
    'HTTP routes by database time: the framework\u2019s route template (Express), else the method and the path with ids, UUIDs and hashes replaced; past 100 routes, other');
}

function connections(report: QuerylensReport): string {
  return section('connections', `<h3>held now</h3>${heldClientTable(report)}<h3>findings</h3>${connectionFindingTable(report)}`,
    `pool clients held past ${report.thresholds.poolLeakMs} ms are leaks; transactions open past ${report.thresholds.longTransactionMs} ms, or idle inside one past ${report.thresholds.idleInTransactionMs} ms, are findings; each ages out an hour after it was last seen`);
}

/** The tiered-cache column of a layer: what the memory layer did beyond lookups, the Redis layer's breaker. */
const LAYER_COLUMN: Readonly<Record<ReportCache['layer'], { header: string; cell: (cache: ReportCache) => Cell }>> = {
  memory: {
    header: 'events',
    cell: (cache) => txt(cache.events === undefined ? '–'
      : Object.entries(cache.events).map(([event, count]) => `${event.replaceAll('_', ' ')} ${formatCount(count)}`).join(' · ')),
  },
  redis: { header: 'breaker', cell: (cache) => txt(cache.breaker?.replace('_', '-') ?? '–') },
};

function cacheRows(caches: readonly ReportCache[], layer: ReportCache['layer']): Cell[][] {
  return caches.map((cache) => [
    txt(cache.name), num(formatCount(cache.hits)), num(formatCount(cache.misses)), num(formatCount(cache.stale)), num(formatRatio(cache.hitRatio)),
    num(cache.entries === undefined ? '–' : `${formatCount(cache.entries)} / ${cache.maxEntries ? formatCount(cache.maxEntries) : '∞'}`),
    num(formatCount(cache.evictions)), num(formatCount(cache.errors)), LAYER_COLUMN[layer].cell(cache),
  ]);
}

const cacheHeaders = (layer: ReportCache['layer']): string[] =>
  ['name', 'hits', 'misses', 'stale', 'hit ratio', 'entries / max', 'evictions', 'errors', LAYER_COLUMN[layer].header];

/**
 * Counters outlive their cache, and a cache renamed by `nameCache` leaves its
 * creation-site name behind with nothing counted: such rows say nothing.
 */
function shownCaches(report: QuerylensReport, layer: ReportCache['layer']): ReportCache[] {
  return report.caches.filter((cache) => cache.layer === layer
    && (cache.entries !== undefined || cache.events !== undefined || cache.hits + cache.misses + cache.stale + cache.errors + cache.evictions > 0));
}

function redis(report: QuerylensReport): string {
  const commands = report.redisCommands.map((command) => [
    txt(command.server), num(String(command.database)), txt(command.command), num(formatCount(command.calls)), num(formatCount(command.errors)), num(formatMs(command.p95Ms)),
  ]);
  const cacheReads = cacheRows(shownCaches(report, 'redis'), 'redis');
  const body = (commands.length === 0 ? none('no Redis command yet') : table(['server', 'db', 'command', 'calls', 'errors', 'p95'], commands))
    + (cacheReads.length === 0 ? none('no Redis read used as a cache yet') : table(cacheHeaders('redis'), cacheReads) + cacheCharts(report, shownCaches(report, 'redis')));
  return section('redis', body,
    'commands since the agent started; then Redis used as a cache: tiered caches\u2019 Redis layer (with its circuit breaker now) and GET-style reads by key pattern');
}

/** Hit ratio charts of the caches with lookups in the last hour. */
function cacheCharts(report: QuerylensReport, shown: readonly ReportCache[]): string {
  const charts = shown.filter((cache) => cache.history.minutes.some((point) => point.hitRatio !== null)).map((cache) => cacheChart(report, cache));
  return charts.length === 0 ? '' : `<div class="charts">${charts.join('')}</div>`;
}

function caches(report: QuerylensReport): string {
  const shown = shownCaches(report, 'memory');
  const rows = cacheRows(shown, 'memory');
  return section('caches', rows.length === 0 ? none('no instrumented in-process cache yet') : table(cacheHeaders('memory'), rows) + cacheCharts(report, shown),
    'lru-caches and tiered caches\u2019 memory layers, by name (names with nothing counted and no live cache are left out); events of tiered caches since start: invalidations by the app\u2019s own writes, stale answers served within the grace period (grace hit, soft timeout), loader timeouts, breaker transitions, cross-instance locks; hit ratio per minute over the last hour');
}

function cacheCandidates(report: QuerylensReport): string {
  const rows = report.cacheCandidates.map((candidate) => [
    sql(candidate.query), num(formatCount(candidate.calls)), num(formatRatio(candidate.estimatedHitRate)), num(formatMs(candidate.meanMs)), num(formatMs(candidate.estimatedTimeSavedMs)),
    num(formatCount(Math.round(candidate.tableWritesPerMinute))), txt(candidate.coveredByWriteInvalidation ? 'yes' : 'no'), num(formatMs(candidate.recommendedTtlMs)), sql(candidate.code),
  ]);
  const headers = ['statement', 'calls', 'estimated hit rate', 'mean', 'estimated time saved', 'writes/min of its tables', 'write invalidation covers', 'recommended TTL', 'code'];
  return section('cache-candidates', rows.length === 0 ? none('no cache candidate yet') : table(headers, rows),
    'read-only statements called often with repeating parameters');
}

function header(report: QuerylensReport, options: StatusPageOptions): string {
  const refreshLinks = REFRESH_CHOICES.map((seconds) => (seconds === options.refreshSeconds
    ? `<strong>${seconds === 0 ? 'off' : `${seconds} s`}</strong>`
    : `<a href="${escapeHtml(pageLink(options, { refreshSeconds: seconds }))}">${seconds === 0 ? 'off' : `${seconds} s`}</a>`)).join(' ');
  const overviewPage = options.statement === undefined ? '' : pageLink(options, { statement: undefined });
  const nav = SECTIONS.map(([id, title]) => `<a href="${escapeHtml(`${overviewPage}#${id}`)}">${escapeHtml(title)}</a>`).join('');
  return `<header><h1>querylens · ${escapeHtml(report.service.name)}</h1><span>auto-refresh: ${refreshLinks}</span>`
    + `<span><a href="${escapeHtml(`${options.path}/api/report`)}">JSON report</a><a href="/metrics">/metrics</a><a href="/healthz">/healthz</a></span></header><nav>${nav}</nav>`;
}

function sections(report: QuerylensReport, options: StatusPageOptions): string {
  if (options.statement !== undefined) return statementView(report, options.statement, pageLink(options, { statement: undefined }));
  return overview(report) + statements(report, options) + findings(report) + indexSuggestions(report) + slowStatements(report) + nPlusOne(report)
    + routes(report) + pools(report) + connections(report) + redis(report) + caches(report) + cacheCandidates(report);
}

export function renderStatusPage(report: QuerylensReport, options: StatusPageOptions): string {
  const refresh = options.refreshSeconds > 0 ? `<meta http-equiv="refresh" content="${escapeHtml(options.refreshSeconds)}">` : '';
  return '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    + '<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
    + `${refresh}<title>querylens · ${escapeHtml(report.service.name)}</title><style>${PAGE_STYLE}</style></head><body>`
    + header(report, options)
    + sections(report, options)
    + `<footer class="muted"><p>generated ${escapeHtml(report.generatedAt)}; statement texts are normalized (constants as $n).</p></footer></body></html>`;
}
