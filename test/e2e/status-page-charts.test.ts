/**
 * The status page's charts in Chromium, drawn from a history whose every
 * figure the test chose: a real recorder (real statement analysis) fed
 * executions that ended in given minutes, pool and cache histories filled
 * minute by minute, served by the agent's status page route. The test reads
 * back what each chart shows (its marks' values, and bar heights in
 * proportion) and checks the page runs under its CSP with no console error.
 * Screenshots are kept in test-results/ (and, with QUERYLENS_DOCS_IMAGES set,
 * the detail view's is copied to docs/images/ for docs/status-page.md).
 */
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../agent/config';
import { MINUTE_MS, MinuteHistory, NOTHING_COUNTED, minuteOf } from '../../core/minuteHistory';
import type { QueryEvent } from '../../core/queryEvents';
import { statusPageRoute } from '../../http/statusPage/statusPageRoute';
import { startAgentServer } from '../../http/server';
import { POOL_HISTORY_SHAPE } from '../../instrumentations/pg/poolRegistry';
import { CACHE_HISTORY_SHAPE } from '../../instrumentations/cacheTelemetry/cacheStatistics';
import { createQueryRecorder } from '../../recording/queryRecorder';
import { StatementCache } from '../../recording/statementCache';
import { buildReport } from '../../report/buildReport';
import type { QuerylensReport } from '../../report/reportModel';
import { loadSqlParser } from '../../sql/parse/parser';
import { ROOT, freePort } from '../helpers/agentProcess';
import { CacheMetricsReader } from '../helpers/cacheMetrics';
import { launchChromium } from '../helpers/chromium';

const SCREENSHOTS = join(ROOT, 'test-results');
/** The report's clock: 20 s into a minute, so "now" and every minute below are fixed. */
const NOW = (minuteOf(Date.now()) * MINUTE_MS) + 20_000;
const minuteStart = (ago: number): number => (minuteOf(NOW) - ago) * MINUTE_MS;
const label = (ago: number): string => new Date(minuteStart(ago)).toISOString().slice(11, 16);

const HOT = 'SELECT id, total FROM ql_hist_orders WHERE customer_id = $1';
const COLD = 'SELECT name FROM ql_hist_countries WHERE code = $1';
/** Executions of HOT per minute (minutes ago → calls, ms each); minute 2 was slow and failed some. */
const HOT_MINUTES = [[4, 10, 2], [3, 30, 2], [2, 20, 80], [0, 5, 2]] as const;
/** HOT_MINUTES' calls summed per clock hour, oldest first: the minutes straddle an hour when the test runs just after one. */
function callsPerHour(): number[] {
  const hours = new Map<number, number>();
  for (const [ago, count] of HOT_MINUTES) {
    const hour = Math.floor((minuteOf(NOW) - ago) / 60);
    hours.set(hour, (hours.get(hour) ?? 0) + count);
  }
  return [...hours.values()];
}
const HOT_ERRORS_AT_2 = 3;
/** Connections in use (most seen) and callers waiting per minute, and checkouts. */
const POOL_MINUTES = [[3, 2, 0, 40], [2, 10, 4, 90], [1, 6, 0, 50], [0, 1, 0, 10]] as const;
/** Cache hits and misses per minute. */
const CACHE_MINUTES = [[3, 9, 1], [2, 5, 5], [0, 1, 3]] as const;

let server: Server;
let url = '';
let browser: Browser;
let report: QuerylensReport;
const consoleProblems: string[] = [];

function buildFixtureReport(): QuerylensReport {
  const config = readConfig({}, (line) => { throw new Error(line); });
  const statements = new StatementCache({ maxSqlLength: config.maxSqlLength, disabledRules: new Set(), source: 'runtime' });
  const recorder = createQueryRecorder(config, new CacheMetricsReader().meter);
  const serverInfo = { address: '127.0.0.1', port: 5432, database: 'test' };
  const run = (text: string, endedAt: number, ms: number, errorCode?: string): void => {
    const analysis = statements.analyze(text);
    if (analysis === undefined) throw new Error('parser not loaded');
    const event: QueryEvent = {
      analysis, text, values: undefined, durationSeconds: ms / 1000, rows: 1, errorCode, contextKey: undefined, traceId: undefined, endedAt, server: serverInfo,
    };
    recorder.onQuery(event);
  };
  for (const [ago, calls, ms] of HOT_MINUTES) {
    for (let i = 0; i < calls; i += 1) run(HOT, minuteStart(ago) + 1000 + i * 100, ms, ago === 2 && i < HOT_ERRORS_AT_2 ? '57014' : undefined);
  }
  run(COLD, minuteStart(1) + 5000, 1, '23505');

  const pool = new MinuteHistory(POOL_HISTORY_SHAPE);
  pool.start(minuteOf(minuteStart(3)), NOTHING_COUNTED);
  let checkouts = 0;
  for (const [ago, used, waiting, count] of POOL_MINUTES) {
    pool.roll(minuteOf(minuteStart(ago)), { counters: [checkouts] });
    checkouts += count;
    pool.sample(0, used);
    pool.sample(1, waiting);
  }
  const cache = new MinuteHistory(CACHE_HISTORY_SHAPE);
  cache.start(minuteOf(minuteStart(3)), NOTHING_COUNTED);
  let hits = 0;
  let misses = 0;
  for (const [ago, hit, miss] of CACHE_MINUTES) {
    cache.roll(minuteOf(minuteStart(ago)), { counters: [hits, misses, 0] });
    hits += hit;
    misses += miss;
  }
  return buildReport({
    serviceName: 'charts', agentVersion: 'v', startedAt: minuteStart(5), now: NOW, config, recorder,
    pools: [{ name: 'orders-pool', total: 2, idle: 1, used: 1, pending: 0, max: 10, min: 0, checkouts, waitP95Ms: 1 }],
    caches: [{ name: 'customers', layer: 'memory', hits, misses, stale: 0, errors: 0, evictions: { evict: 0, set: 0, delete: 0, expire: 0, fetch: 0, other: 0 }, entries: 3, maxEntries: 10 }],
    poolHistories: [{ name: 'orders-pool', ...pool.window(NOW, { counters: [checkouts] }) }],
    cacheHistories: [{ name: 'customers', layer: 'memory', ...cache.window(NOW, { counters: [hits, misses, 0] }) }],
  });
}

async function openPage(query = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (message) => consoleProblems.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => consoleProblems.push(`pageerror: ${error.message}`));
  const response = await page.goto(`${url}/querylens${query}`);
  expect(response?.status()).toBe(200);
  return page;
}

/** Every mark of a chart as the browser has it: series, slot, value, and its drawn box. */
async function marks(page: Page, chartTitle: string) {
  const chart = page.locator(`svg.chart[aria-label="${chartTitle}"]`);
  expect(await chart.count()).toBe(1);
  return chart.locator('[data-value]').evaluateAll((elements) => elements.map((element) => {
    const box = (element as SVGGraphicsElement).getBBox();
    return { series: element.getAttribute('data-series'), slot: element.getAttribute('data-slot'), value: Number(element.getAttribute('data-value')), y: box.y, height: box.height };
  }));
}

beforeAll(async () => {
  await loadSqlParser();
  report = buildFixtureReport();
  const port = await freePort();
  const listening = await startAgentServer({ host: '127.0.0.1', port, routes: [statusPageRoute(() => report)], warn: (line) => { throw new Error(line); } });
  if (listening === undefined) throw new Error('status page server did not start');
  server = listening;
  url = `http://127.0.0.1:${port}`;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

describe('status page charts in Chromium', () => {
  it('draws a sparkline of time per minute for each top statement, with its share of total time and the SQLSTATEs of its errors', async () => {
    const page = await openPage();
    const row = page.locator('section#statements tr', { hasText: 'ql_hist_orders' });
    const bars = await row.locator('svg.spark rect[data-value]').evaluateAll((elements) => elements.map((element) => ({
      slot: element.getAttribute('data-slot'), value: Number(element.getAttribute('data-value')), height: Number(element.getAttribute('height')),
    })));
    // Time per minute: 10 × 2 ms, 30 × 2 ms, 20 × 80 ms, 5 × 2 ms.
    expect(bars.map((bar) => [bar.slot, bar.value])).toEqual([[label(4), 20], [label(3), 60], [label(2), 1600], [label(0), 10]]);
    const tallest = bars.find((bar) => bar.value === 1600)!;
    expect(tallest.height).toBe(24);
    for (const bar of bars) expect(bar.height).toBeCloseTo(Math.max(1, (bar.value / 1600) * 24), 1);
    const cells = await row.locator('td').allInnerTexts();
    const hot = report.queries.top.find((query) => query.query === HOT)!;
    const share = hot.totalMs / (hot.totalMs + report.queries.top.find((query) => query.query === COLD)!.totalMs);
    expect(cells[4]).toBe(`${(share * 100).toFixed(1)} %`);
    expect(cells[9]).toBe(`${HOT_ERRORS_AT_2} (57014 ×${HOT_ERRORS_AT_2})`);
    expect(await page.locator('section#statements tr', { hasText: 'ql_hist_countries' }).locator('td').nth(9).innerText()).toBe('1 (23505)');
    await page.close();
    expect(consoleProblems).toEqual([]);
  });

  it('opens a statement\'s detail view from its text, with calls and latency per minute', async () => {
    const page = await openPage();
    await page.locator('section#statements a', { hasText: 'ql_hist_orders' }).click();
    expect(new URL(page.url()).searchParams.get('statement')).toBe(report.queries.top.find((query) => query.query === HOT)!.fingerprint);
    const detail = page.locator('section#statement');
    expect(await detail.locator('pre').innerText()).toBe(HOT);

    const calls = await marks(page, 'calls per minute, last hour');
    expect(calls.map((bar) => [bar.slot, bar.value])).toEqual(HOT_MINUTES.map(([ago, count]) => [label(ago), count]));
    // Bars stand on one baseline and their heights keep the calls' proportions.
    const unit = calls[0]!.height / 10;
    for (const bar of calls) expect(bar.height).toBeCloseTo(bar.value * unit, 0);
    expect(new Set(calls.map((bar) => Math.round(bar.y + bar.height))).size).toBe(1);

    const latency = await marks(page, 'latency per minute, last hour');
    const p95 = latency.filter((dot) => dot.series === 'p95');
    expect(p95.map((dot) => dot.slot)).toEqual(HOT_MINUTES.map(([ago]) => label(ago)));
    const slow = p95.find((dot) => dot.slot === label(2))!;
    // The slow minute's p95 is inside its 80 ms calls' bucket (50, 100]; the fast minutes' inside (1, 2].
    expect(slow.value).toBeGreaterThan(50);
    expect(slow.value).toBeLessThanOrEqual(80);
    for (const dot of p95.filter((other) => other !== slow)) {
      expect(dot.value).toBeLessThanOrEqual(2);
      expect(dot.y).toBeGreaterThan(slow.y);
    }
    const mean = latency.filter((dot) => dot.series === 'mean');
    expect(mean.map((dot) => dot.value)).toEqual([2, 2, 80, 2]);
    expect(await detail.locator('svg.chart[aria-label="calls per hour, last day"] [data-value]').evaluateAll((elements) => elements.map((element) => Number(element.getAttribute('data-value')))))
      .toEqual(callsPerHour());
    expect(await detail.locator('table', { hasText: 'SQLSTATE' }).innerText()).toContain(`57014\t${HOT_ERRORS_AT_2}`);

    mkdirSync(SCREENSHOTS, { recursive: true });
    const screenshot = join(SCREENSHOTS, 'status-page-statement.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(20_000);
    if (process.env.QUERYLENS_DOCS_IMAGES) copyFileSync(screenshot, join(ROOT, 'docs', 'images', 'status-page-statement.png'));
    await page.close();
    expect(consoleProblems).toEqual([]);
  });

  it('draws pool use and waits, and the cache hit ratio, over the last hour', async () => {
    const page = await openPage();
    const use = await marks(page, 'orders-pool: connections per minute (most seen)');
    const inUse = use.filter((dot) => dot.series === 'in use');
    // Sixty minutes: the four with samples, and 0 where the pool had none.
    expect(inUse).toHaveLength(60);
    expect(inUse.filter((dot) => dot.value > 0).map((dot) => [dot.slot, dot.value])).toEqual(POOL_MINUTES.map(([ago, used]) => [label(ago), used]));
    expect(use.filter((dot) => dot.series === 'callers waiting' && dot.value > 0).map((dot) => [dot.slot, dot.value])).toEqual([[label(2), 4]]);
    // The y axis runs to the pool's max (10): the busiest minute's dot is at the top.
    const top = inUse.find((dot) => dot.value === 10)!;
    expect(inUse.every((dot) => dot.y >= top.y)).toBe(true);
    const checkouts = await marks(page, 'orders-pool: checkouts per minute');
    expect(checkouts.map((bar) => [bar.slot, bar.value])).toEqual(POOL_MINUTES.map(([ago, , , count]) => [label(ago), count]));

    const ratio = await marks(page, 'customers (memory): hit ratio per minute');
    expect(ratio.map((dot) => [dot.slot, dot.value])).toEqual(CACHE_MINUTES.map(([ago, hit, miss]) => [label(ago), Math.round((hit / (hit + miss)) * 1000) / 1000]));
    expect(await page.locator('svg.chart[aria-label="customers (memory): hit ratio per minute"] title').first().textContent()).toBe(`${label(3)} · hit ratio: 90.0 %`);

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.locator('section#pools').screenshot({ path: join(SCREENSHOTS, 'status-page-pools.png') });
    await page.screenshot({ path: join(SCREENSHOTS, 'status-page-charts.png'), fullPage: true });
    await page.close();
    expect(consoleProblems).toEqual([]);
  });
});
