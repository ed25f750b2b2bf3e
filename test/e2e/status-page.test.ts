/**
 * The status page in a real browser: Debian's headless Chromium loads
 * GET /querylens from an app under the agent that ran a real pg + Redis +
 * cache workload with anti-patterns. Every section shows data, the page runs
 * no script (none is allowed, and a table named as markup stays text), the
 * browser reports no console error or CSP violation, and sorting works
 * through plain links. A screenshot is kept in test-results/ (and, with
 * QUERYLENS_DOCS_IMAGES set, copied to docs/images/ for the README).
 */
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/agentProcess';
import { launchChromium } from '../helpers/chromium';
import { startStatusPageApp, type StatusPageApp } from '../helpers/statusPageApp';
import { waitFor } from '../helpers/waitFor';

const XSS_NAME = '<img src=x onerror=alert(1)>';
const SCREENSHOT = join(ROOT, 'test-results', 'status-page.png');

let fixture: StatusPageApp;
let browser: Browser;
const consoleProblems: string[] = [];
const dialogs: string[] = [];

async function openPage(query = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') consoleProblems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleProblems.push(`pageerror: ${error.message}`));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const response = await page.goto(`${fixture.agentUrl}/querylens${query}`);
  expect(response?.status()).toBe(200);
  return page;
}

async function sectionText(page: Page, id: string): Promise<string> {
  return page.locator(`section#${id}`).innerText();
}

beforeAll(async () => {
  fixture = await startStatusPageApp('ql_page_browser');
  for (let i = 0; i < 3; i += 1) await fixture.round();
  // Every section has something to show once the EXPLAIN of the slow scan is back.
  await waitFor('a slow statement with its plan, an N+1 loop and a cache candidate', async () => {
    await fixture.round();
    const report = await fixture.report();
    const explained = report.slowQueries.some((slow) => slow.plan !== undefined);
    return explained && report.nPlusOne.length > 0 && report.cacheCandidates.length > 0 ? report : undefined;
  }, 30_000, 200);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await fixture?.stop();
});

describe('GET /querylens in Chromium', () => {
  it('shows every section with data from the workload, with no script run and no console error', async () => {
    const page = await openPage();
    expect(await page.title()).toContain('querylens');
    const statements = await sectionText(page, 'statements');
    expect(statements).toContain('md5(o.note) LIKE $1');
    expect(await page.locator('section#statements tr').count()).toBeGreaterThan(5);
    const findings = await sectionText(page, 'findings');
    for (const rule of ['select-star', 'leading-wildcard-like', 'n-plus-one', 'slow-query']) expect(findings).toContain(rule);
    // The EXPLAIN plan as a tree: a scan of the orders table nested under the aggregate.
    const planNodes = page.locator('section#slow ul.plan li');
    expect(await planNodes.count()).toBeGreaterThan(1);
    expect(await page.locator('section#slow ul.plan li li', { hasText: 'ql_page_browser_orders' }).count()).toBeGreaterThan(0);
    expect(await sectionText(page, 'n-plus-one')).toContain('WHERE customer_id = $1');
    expect(await sectionText(page, 'pools')).toContain('127.0.0.1:5432');
    expect(await sectionText(page, 'redis')).toContain('page-customers');
    const caches = await sectionText(page, 'caches');
    expect(caches).toContain('page-recent');
    expect(caches).toMatch(/page-recent\s+\d+\s+\d+\s+\d+\s+\d+\.\d %/);
    expect(await sectionText(page, 'cache-candidates')).toContain('WHERE id = $1');
    const overview = await sectionText(page, 'overview');
    expect(overview).toMatch(/queries\/s\s+[\d.]+/);

    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(20_000);
    if (process.env.QUERYLENS_DOCS_IMAGES) copyFileSync(SCREENSHOT, join(ROOT, 'docs', 'images', 'status-page.png'));
    await page.close();
    expect(consoleProblems).toEqual([]);
  });

  it('shows a table named as markup as text: no element injected, no dialog', async () => {
    const page = await openPage();
    const statements = await sectionText(page, 'statements');
    expect(statements).toContain(`"${XSS_NAME}"`);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(0);
    // Give an injected onerror handler the time to fire, had there been one.
    await page.waitForTimeout(300);
    await page.close();
    expect(dialogs).toEqual([]);
    expect(consoleProblems).toEqual([]);
  });

  it('sorts the top statements by calls and by mean through plain links', async () => {
    const page = await openPage();
    await page.locator('section#statements th a', { hasText: 'calls' }).click();
    expect(new URL(page.url()).searchParams.get('sort')).toBe('calls');
    const report = await fixture.report();
    const mostCalled = Math.max(...report.queries.top.map((query) => query.calls));
    const firstCalls = await page.locator('section#statements tr').nth(1).locator('td').nth(2).innerText();
    // The page was rendered a moment after this report; the leader's count can only have grown.
    expect(Number(firstCalls.replace(/,/g, ''))).toBeGreaterThanOrEqual(mostCalled);
    await page.locator('section#statements th a', { hasText: 'mean' }).click();
    expect(new URL(page.url()).searchParams.get('sort')).toBe('mean');
    await page.close();
    expect(consoleProblems).toEqual([]);
  });

  it('keeps the workload in the history and charts it: statements, pools, caches', async () => {
    const report = await fixture.report();
    for (const query of report.queries.top) {
      // The process started minutes ago: every execution is in the last hour's minutes and in the last day's hours.
      expect(query.history.minutes.reduce((sum, point) => sum + point.calls, 0)).toBe(query.calls);
      expect(query.history.hours.reduce((sum, point) => sum + point.calls, 0)).toBe(query.calls);
      expect(query.history.minutes.reduce((sum, point) => sum + point.errors, 0)).toBe(query.errors);
    }
    const poolName = report.pools.find((candidate) => candidate.name.includes('127.0.0.1:5432'))!.name;
    const lookups = (point: { hits: number; misses: number; stale: number }): number => point.hits + point.misses + point.stale;
    // Checkouts and cache lookups reach their history at the sampler's next tick (every 5 s).
    await waitFor('the pool and cache histories to catch up with their counters', async () => {
      const latest = await fixture.report();
      const pool = latest.pools.find((candidate) => candidate.name === poolName)!;
      const cache = latest.caches.find((candidate) => candidate.name === 'page-recent' && candidate.layer === 'memory')!;
      const poolCaughtUp = pool.history.minutes.reduce((sum, point) => sum + point.checkouts, 0) === pool.checkouts;
      const cacheCaughtUp = cache.history.minutes.reduce((sum, point) => sum + lookups(point), 0) === lookups(cache);
      return poolCaughtUp && cacheCaughtUp ? latest : undefined;
    }, 15_000, 250);

    const page = await openPage();
    const after = await fixture.report();
    const values = (selector: string): Promise<number[]> => page.locator(selector).evaluateAll((elements) => elements.map((element) => Number(element.getAttribute('data-value'))));
    const top = after.queries.top[0]!;
    const sparkValues = await values('section#statements tr:nth-child(2) svg.spark rect[data-value]');
    expect(sparkValues).toEqual(top.history.minutes.map((point) => point.totalMs));
    const pool = after.pools.find((candidate) => candidate.name === poolName)!;
    expect(await values(`svg.chart[aria-label="${pool.name}: checkouts per minute"] [data-value]`)).toEqual(pool.history.minutes.map((point) => point.checkouts));
    expect(await page.locator(`svg.chart[aria-label="${pool.name}: connections per minute (most seen)"] [data-series="in use"]`).count()).toBe(60);
    const recent = after.caches.find((cache) => cache.name === 'page-recent' && cache.layer === 'memory')!;
    const ratios = await values('svg.chart[aria-label="page-recent (memory): hit ratio per minute"] [data-value]');
    expect(ratios.length).toBeGreaterThan(0);
    expect(ratios).toEqual(recent.history.minutes.map((point) => point.hitRatio));
    await page.close();
    expect(consoleProblems).toEqual([]);
  });

  it('limits the report\'s history with ?since= and refuses a since it cannot read', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const limited = await (await fetch(`${fixture.agentUrl}/querylens/api/report?since=${encodeURIComponent(future)}`)).json() as Awaited<ReturnType<StatusPageApp['report']>>;
    expect(limited.history.since).toBe(future);
    expect(limited.queries.top.length).toBeGreaterThan(0);
    for (const query of limited.queries.top) expect(query.history).toEqual({ minutes: [], hours: [] });
    for (const pool of limited.pools) expect(pool.history).toEqual({ minutes: [], hours: [] });
    const since = Date.parse(limited.startedAt) - 60_000;
    const all = await (await fetch(`${fixture.agentUrl}/querylens/api/report?since=${since}`)).json() as Awaited<ReturnType<StatusPageApp['report']>>;
    expect(all.history.since).toBe(new Date(since).toISOString());
    for (const query of all.queries.top) expect(query.history.minutes.reduce((sum, point) => sum + point.calls, 0)).toBe(query.calls);
    const refused = await fetch(`${fixture.agentUrl}/querylens/api/report?since=yesterday-ish`);
    expect(refused.status).toBe(400);
    expect((await refused.json() as { error: string }).error).toContain('since="yesterday-ish"');
  });

  it('answers with the security headers and refreshes only when asked', async () => {
    const plain = await fetch(`${fixture.agentUrl}/querylens`);
    const csp = plain.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toMatch(/unsafe-inline|script-src/);
    expect(plain.headers.get('x-content-type-options')).toBe('nosniff');
    expect(plain.headers.get('x-frame-options')).toBe('DENY');
    expect(plain.headers.get('referrer-policy')).toBe('no-referrer');
    expect(plain.headers.get('cache-control')).toBe('no-store');
    expect(await plain.text()).not.toContain('http-equiv="refresh"');
    const refreshing = await (await fetch(`${fixture.agentUrl}/querylens?refresh=5`)).text();
    expect(refreshing).toContain('<meta http-equiv="refresh" content="5">');
  });
});
