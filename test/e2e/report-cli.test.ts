/**
 * `querylens report` as a user runs it: the built CLI in a child process,
 * against an app under the agent that ran a real workload; and against a
 * port where nothing answers (a clear message, exit 2).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuerylensReport } from '../../report/reportModel';
import { ROOT, freePort, runNode } from '../helpers/agentProcess';
import { startStatusPageApp, type StatusPageApp } from '../helpers/statusPageApp';

const CLI = join(ROOT, 'dist', 'agent', 'cli', 'main.js');

describe('querylens report', () => {
  let fixture: StatusPageApp;

  beforeAll(async () => {
    fixture = await startStatusPageApp('ql_page_cli');
    await fixture.round();
    await fixture.round();
  }, 60_000);

  afterAll(async () => {
    await fixture?.stop();
  });

  it('prints the top statements by total time and the findings by rule', async () => {
    const expected = await fixture.report();
    const result = await runNode(CLI, { args: ['report', '--url', fixture.agentUrl] });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const heaviest = [...expected.queries.top].sort((a, b) => b.totalMs - a.totalMs)[0];
    const lines = result.stdout.split('\n');
    const tableStart = lines.indexOf('Top statements by total time');
    expect(tableStart).toBeGreaterThan(0);
    expect(lines[tableStart + 1]).toMatch(/calls\s+total\s+mean\s+p95\s+errors\s+statement/);
    // The heaviest statement is on the first row (its text, cut to one line).
    expect(lines[tableStart + 2]).toContain(heaviest.query.replace(/\s+/g, ' ').slice(0, 60));
    for (const rule of ['select-star', 'leading-wildcard-like', 'n-plus-one']) expect(result.stdout).toMatch(new RegExp(`^(error|warning|info) ${rule} `, 'm'));
    expect(result.stdout).not.toMatch(/\u001b/);
  });

  it('prints the agent\'s JSON report with --format json', async () => {
    const result = await runNode(CLI, { args: ['report', '--url', `${fixture.agentUrl}/`, '--format', 'json'] });
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as QuerylensReport;
    expect(printed.schemaVersion).toBe(1);
    expect(printed.queries.top.length).toBeGreaterThan(0);
    expect(printed.findings.map((finding) => finding.rule)).toContain('select-star');
  });

  it('reads the agent from host:port without a scheme, and from a pasted status page or report URL', async () => {
    const { host, port } = new URL(fixture.agentUrl);
    const urls = [`localhost:${port}`, host, `${fixture.agentUrl}/querylens`, `${fixture.agentUrl}/querylens/?sort=calls`, `${fixture.agentUrl}/querylens/api/report`];
    for (const url of urls) {
      const result = await runNode(CLI, { args: ['report', '--url', url, '--format', 'json'] });
      expect(result.stderr, url).toBe('');
      expect(result.code, url).toBe(0);
      expect((JSON.parse(result.stdout) as QuerylensReport).schemaVersion, url).toBe(1);
    }
  });

  it('says the agent is unreachable and exits 2 when nothing listens', async () => {
    const closedPort = await freePort();
    const result = await runNode(CLI, { args: ['report', '--url', `http://127.0.0.1:${closedPort}`] });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`cannot reach the agent at http://127.0.0.1:${closedPort}/querylens/api/report`);
    expect(result.stderr).toMatch(/ECONNREFUSED/);
  });

  it('refuses a bad --format or --url with exit 2', async () => {
    const format = await runNode(CLI, { args: ['report', '--format', 'yaml'] });
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--format "yaml" is not valid');
    const url = await runNode(CLI, { args: ['report', '--url', 'not a url'] });
    expect(url.code).toBe(2);
    expect(url.stderr).toContain('is not a URL');
    const scheme = await runNode(CLI, { args: ['report', '--url', 'ftp://127.0.0.1:9464'] });
    expect(scheme.code).toBe(2);
    expect(scheme.stderr).toContain('--url must be http:// or https://, not ftp:');
  });
});
