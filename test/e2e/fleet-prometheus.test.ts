/**
 * The fleet view end to end: three instrumented processes run real pg
 * statements (each its own mix: test/fixtures/apps/fleet-instance.cjs), a real
 * Prometheus scrapes them every second along with one target where nothing
 * listens (and the first process a second time, under a second job: the same
 * instance value in two jobs), and the built CLI reads the fleet back: `querylens report
 * --prometheus` (JSON and text, totals and `--window`) and the fleet page of
 * `querylens fleet`. The expected figures are what each process says of
 * itself on its own /metrics, summed here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { FleetReport, FleetStatement } from '../../fleet/fleetModel';
import { METRICS } from '../../core/metrics/registry';
import { STATUS_PAGE_HEADERS } from '../../http/statusPage/statusPageRoute';
import { formatMs } from '../../http/statusPage/formatValues';
import { APPS, REGISTER_CJS, ROOT, freePort, runNode } from '../helpers/agentProcess';
import { ChildApp } from '../helpers/childApp';
import { startDaemon, type Daemon } from '../helpers/daemon';
import { find, parseSamples } from '../helpers/promText';
import { TOOLS, toolPath } from '../helpers/prometheusTools';
import { waitFor } from '../helpers/waitFor';

const CLI = join(ROOT, 'dist', 'agent', 'cli', 'main.js');
const JOB = 'ql-fleet-e2e';
/** A second job scraping rank 1 again: its series carry the same `instance` as JOB's. */
const OTHER_JOB = 'ql-fleet-e2e-other';
const SERVICE = 'ql-fleet-e2e-service';
const SHARED_TEXT = 'select $1::int as ql_fleet_shared, pg_sleep($2)';
const POOL = 'ql-fleet-orders';
const RANKS = [1, 2, 3] as const;
/** The catalogue table each rank's own statement reads (the fixture's OWN_TABLE). */
const OWN_TABLE = ['pg_class', 'pg_type', 'pg_proc'];

interface Ready { readonly ready: boolean; readonly rank: number; readonly shared: number; readonly own: number; readonly star: number; readonly poolMax: number }
interface Instance { readonly app: ChildApp; readonly address: string; readonly ready: Ready }

let dir = '';
let prometheus: Daemon | undefined;
let prometheusUrl = '';
let deadTarget = '';
const instances: Instance[] = [];

async function promQuery(expr: string): Promise<{ value: [number, string] }[]> {
  const answer = await (await fetch(`${prometheusUrl}/api/v1/query?${new URLSearchParams({ query: expr })}`)).json() as { data?: { result: { value: [number, string] }[] } };
  return answer.data?.result ?? [];
}

/** What one process says of a statement on its own /metrics. */
async function ownFigures(address: string, metric: string, fingerprint: string): Promise<number> {
  const samples = parseSamples(await (await fetch(`http://${address}/metrics`)).text());
  return find(samples, metric, { fingerprint }).reduce((sum, sample) => sum + sample.value, 0);
}

function byRank(rank: number): Instance {
  const found = instances.find((instance) => instance.ready.rank === rank);
  if (found === undefined) throw new Error(`no instance of rank ${rank}`);
  return found;
}

async function fleetJson(...args: string[]): Promise<FleetReport> {
  const result = await runNode(CLI, { args: ['report', '--prometheus', prometheusUrl, '--job', JOB, '--format', 'json', ...args] });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as FleetReport;
}

function shared(report: FleetReport): FleetStatement {
  const statement = report.statements.find((candidate) => candidate.query === SHARED_TEXT);
  if (statement === undefined) throw new Error(`the shared statement is not in the fleet report: ${JSON.stringify(report.statements.map((s) => s.query))}`);
  return statement;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'querylens-fleet-'));
  const ports = await Promise.all([...RANKS, 'dead', 'prometheus'].map(() => freePort()));
  for (const [index, rank] of RANKS.entries()) {
    // The texts and findings are asserted on: no analysis deferred by a loaded machine, no slow statement flagged by one.
    const app = new ChildApp(join(APPS, 'fleet-instance.cjs'), {
      nodeArgs: ['--require', REGISTER_CJS],
      env: { OTEL_SERVICE_NAME: SERVICE, QUERYLENS_SLOW_QUERY_MS: '60000', QUERYLENS_ANALYSIS_BUDGET_MS: '1000', QL_FLEET_RANK: String(rank), OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(ports[index]) },
    });
    instances.push({ app, address: `127.0.0.1:${ports[index]}`, ready: { ready: false, rank, shared: 0, own: 0, star: 0, poolMax: 0 } });
  }
  const ready = await Promise.all(instances.map((instance) => instance.app.waitForLine<Ready>((line) => line.ready === true, 30_000)));
  instances.splice(0, instances.length, ...instances.map((instance, index) => ({ ...instance, ready: ready[index] })));
  deadTarget = `127.0.0.1:${ports[3]}`;
  writeFileSync(join(dir, 'prometheus.yml'), stringify({
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    scrape_configs: [
      { job_name: JOB, static_configs: [{ targets: [...instances.map((instance) => instance.address), deadTarget] }] },
      { job_name: OTHER_JOB, static_configs: [{ targets: [byRank(1).address] }] },
    ],
  }));
  prometheusUrl = `http://127.0.0.1:${ports[4]}`;
  prometheus = startDaemon('prometheus', toolPath(TOOLS.prometheus), [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${ports[4]}`,
  ]);
  const callsOf = (instance: Instance): number => instance.ready.shared + instance.ready.own + instance.ready.star;
  const expectedCalls = instances.reduce((sum, instance) => sum + callsOf(instance), 0);
  await waitFor('Prometheus to have scraped every instance\'s statements', async () => {
    const [total] = await promQuery(`sum(${METRICS.queryCalls.scraped}{job="${JOB}"})`);
    const [other] = await promQuery(`sum(${METRICS.queryCalls.scraped}{job="${OTHER_JOB}"})`);
    const [down] = await promQuery(`count(up{job="${JOB}"} == 0)`);
    return Number(total?.value[1]) === expectedCalls && Number(other?.value[1]) === callsOf(byRank(1)) && Number(down?.value[1]) === 1 ? true : undefined;
  }, 60_000, 500).catch((error: unknown) => {
    throw new Error(`${String(error)}\n--- prometheus\n${prometheus?.output().slice(-3000) ?? ''}`);
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.app.stop()));
  await prometheus?.stop();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('querylens report --prometheus', () => {
  it('lists the three instances up, with their service and agent version, and the dead target down', async () => {
    const report = await fleetJson();
    expect(report.scope).toEqual({ jobs: [JOB] });
    expect(report.instances.map((instance) => [instance.instance, instance.up])).toEqual(
      [...instances.map((instance) => [instance.address, true] as const), [deadTarget, false] as const].sort((a, b) => a[0].localeCompare(b[0])));
    for (const instance of report.instances.filter((entry) => entry.up)) {
      expect(instance.service).toBe(SERVICE);
      expect(instance.agentVersion).toMatch(/^\d+\.\d+\.\d+/);
    }
  });

  it('sums each statement across the instances, with its normalized text and the figures each process reports of itself', async () => {
    const report = await fleetJson();
    const top = report.statements[0];
    // 4, 8 and 12 executions of pg_sleep(0.005): the heaviest statement of the fleet.
    expect(top.query).toBe(SHARED_TEXT);
    expect(top.calls).toBe(RANKS.reduce((sum, rank) => sum + byRank(rank).ready.shared, 0));
    expect(top.instances.map((entry) => [entry.instance, entry.calls]).sort()).toEqual(
      RANKS.map((rank) => [byRank(rank).address, byRank(rank).ready.shared]).sort());
    // The busiest instance (by time) first.
    expect(top.instances.map((entry) => entry.totalMs)).toEqual(top.instances.map((entry) => entry.totalMs).sort((a, b) => b - a));
    let ownMs = 0;
    for (const entry of top.instances) ownMs += 1000 * await ownFigures(entry.instance, METRICS.queryTime.scraped, top.fingerprint);
    expect(top.totalMs).toBeCloseTo(ownMs, 6);
    expect(top.meanMs).toBeCloseTo(top.totalMs / top.calls, 9);
    const fleetMs = report.statements.reduce((sum, statement) => sum + statement.totalMs, report.other.totalMs);
    expect(top.shareOfTime).toBeCloseTo(top.totalMs / fleetMs, 9);
    expect(top.shareOfTime).toBeGreaterThan(0.5);
    // Each instance's own statement: on that instance only.
    for (const rank of RANKS) {
      const own = report.statements.find((statement) => statement.query === `select oid from ${OWN_TABLE[rank - 1]} where oid = $1`);
      expect(own?.instances.map((entry) => [entry.instance, entry.calls])).toEqual([[byRank(rank).address, byRank(rank).ready.own]]);
    }
  });

  it('groups findings by rule, counting each instance\'s flagged executions and statements', async () => {
    const report = await fleetJson();
    const star = report.findings.find((finding) => finding.rule === 'select-star');
    expect(star).toMatchObject({ severity: 'warning', category: 'performance', executions: 4, maxFingerprints: 1 });
    expect(star?.instances.map((entry) => entry.instance).sort()).toEqual([byRank(2).address, byRank(3).address].sort());
    const delay = report.findings.find((finding) => finding.rule === 'time-delay-call');
    expect(delay).toMatchObject({ severity: 'error', executions: RANKS.reduce((sum, rank) => sum + byRank(rank).ready.shared, 0) });
    expect(delay?.instances).toHaveLength(3);
    // Errors before warnings; no rule that flagged nothing.
    expect(report.findings.map((finding) => finding.severity)).toEqual([...report.findings.map((finding) => finding.severity)].sort());
    expect(report.findings.every((finding) => finding.executions > 0 || finding.maxFingerprints > 0)).toBe(true);
  });

  it('orders pools by saturation: the fleet figure and the most saturated instance first', async () => {
    const report = await fleetJson();
    const pool = report.pools.find((candidate) => candidate.pool === POOL);
    expect(pool).toMatchObject({ used: 1 + 2 + 3, max: 3 * 4, saturation: 0.5, maxSaturation: 0.75, pending: 0 });
    expect(pool?.instances.map((entry) => [entry.instance, entry.used, entry.max, entry.saturation])).toEqual(
      [3, 2, 1].map((rank) => [byRank(rank).address, rank, 4, rank / 4]));
  });

  it('keeps two jobs\' targets of one instance value apart: statements and pools per job and instance', async () => {
    const report = await fleetJson('--job', OTHER_JOB);
    const address = byRank(1).address;
    const ofAddress = <T extends { readonly job: string; readonly instance: string }>(entries: readonly T[] | undefined): T[] =>
      (entries ?? []).filter((entry) => entry.instance === address).sort((a, b) => a.job.localeCompare(b.job));
    expect(ofAddress(report.instances).map((instance) => [instance.job, instance.up])).toEqual([[JOB, true], [OTHER_JOB, true]]);
    // Summed by instance alone, the two jobs' series of rank 1 would read as one target with twice its calls.
    expect(ofAddress(shared(report).instances).map((entry) => [entry.job, entry.calls])).toEqual([[JOB, byRank(1).ready.shared], [OTHER_JOB, byRank(1).ready.shared]]);
    const pool = report.pools.find((candidate) => candidate.pool === POOL);
    expect(ofAddress(pool?.instances).map((entry) => [entry.job, entry.used, entry.max])).toEqual([[JOB, 1, 4], [OTHER_JOB, 1, 4]]);
    expect(pool?.maxSaturation).toBe(0.75);
  });

  it('prints the fleet in text: instances, statements, findings and pools, per instance where they differ', async () => {
    const top = shared(await fleetJson());
    const result = await runNode(CLI, { args: ['report', '--prometheus', prometheusUrl, '--job', JOB] });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const text = result.stdout;
    const lines = text.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^Fleet: 4 instances \\(3 up\\); job ${JOB}, totals since each process started, from ${prometheusUrl}`));
    expect(lines.find((line) => line.includes(deadTarget))).toMatch(new RegExp(`^${JOB}\\s+${deadTarget.replace(/\./g, '\\.')}\\s+DOWN\\s+–\\s+–$`));
    for (const instance of instances) expect(lines.find((line) => line.includes(instance.address))).toMatch(new RegExp(`\\sup\\s+${SERVICE}\\s+\\d+\\.\\d+\\.\\d+`));
    const head = lines.indexOf('Top statements by total time across the fleet');
    expect(lines[head + 1]).toMatch(/calls\s+total\s+mean\s+share\s+instances\s+statement/);
    expect(lines[head + 2]).toMatch(new RegExp(`^\\s*24\\s.*\\s3/4\\s+${SHARED_TEXT.replace(/[$()]/g, '\\$&')}$`));
    expect(lines[head + 3]).toBe(`      per instance: ${top.instances.map((entry) => `${JOB}/${entry.instance} ${entry.calls} calls ${formatMs(entry.totalMs)}`).join(' · ')}`);
    expect(text).toMatch(/^error time-delay-call \(security\): 24 flagged executions, up to 1 statement per instance, on 3\/4 instances$/m);
    expect(text).toMatch(new RegExp(`^warning select-star \\(performance\\): 4 flagged executions, up to 1 statement per instance, on 2/4 instances\\n +per instance: `, 'm'));
    expect(text).toMatch(new RegExp(`^\\s*75\\.0 %\\s+50\\.0 %\\s+6/12\\s+0\\s+0\\s+${POOL} \\(3/4 instances\\)\\n +per instance: ${JOB}/${byRank(3).address} 3/4 75\\.0 % · ${JOB}/${byRank(2).address} 2/4 50\\.0 % · ${JOB}/${byRank(1).address} 1/4 25\\.0 %$`, 'm'));
    expect(text).not.toMatch(/\u001b/);
  });

  it('with --window, reads increases: only the instance that ran statements since shows them', async () => {
    const before = shared(await fleetJson()).calls;
    const reply = await byRank(1).app.ask<{ shared: number }>('more');
    expect(reply.shared).toBe(byRank(1).ready.shared + 10);
    await waitFor('Prometheus to scrape the new executions', async () => (shared(await fleetJson()).calls === before + 10 ? true : undefined), 30_000, 500);
    // Two more scrapes after the change, so the window holds the step and flat samples on either side.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const windowed = await fleetJson('--window', '30s');
    expect(windowed.scope).toEqual({ jobs: [JOB], window: '30s' });
    const recent = shared(windowed);
    expect(recent.instances.map((entry) => entry.instance)).toEqual([byRank(1).address]);
    // increase() extrapolates to the window's edges: near 10, not the 34 since start.
    expect(recent.calls).toBeGreaterThanOrEqual(9);
    expect(recent.calls).toBeLessThan(15);
  });

  it('says why when Prometheus cannot be read or an option is wrong (exit 2)', async () => {
    const nowhere = await runNode(CLI, { args: ['report', '--prometheus', `http://${deadTarget}`] });
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toMatch(new RegExp(`^querylens: cannot reach Prometheus at http://${deadTarget}/: `));
    const badWindow = await runNode(CLI, { args: ['report', '--prometheus', prometheusUrl, '--window', 'an hour'] });
    expect(badWindow.code).toBe(2);
    expect(badWindow.stderr).toMatch(/--window "an hour" is not a PromQL duration/);
    const both = await runNode(CLI, { args: ['report', '--prometheus', prometheusUrl, '--url', 'localhost:9464'] });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give one of them/);
  });
});

describe('querylens fleet (the status page\'s fleet mode)', () => {
  let server: Daemon | undefined;
  let pageUrl = '';

  beforeAll(async () => {
    server = startDaemon('querylens fleet', process.execPath, [CLI, 'fleet', '--prometheus', prometheusUrl, '--job', JOB, '--port', '0']);
    const line = await waitFor('the fleet page to listen', () => /^querylens fleet: (http:\S+) /m.exec(server?.output() ?? '')?.[1], 20_000);
    pageUrl = line;
  }, 30_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('serves the fleet page under the status page\'s script-free policy, with the same figures as the report', async () => {
    const response = await fetch(pageUrl);
    expect(response.status).toBe(200);
    for (const [name, value] of Object.entries(STATUS_PAGE_HEADERS)) expect(response.headers.get(name), name).toBe(value);
    const html = await response.text();
    expect(html).not.toMatch(/<script/i);
    const json = await (await fetch(new URL('api/fleet', pageUrl))).json() as FleetReport;
    const top = json.statements[0];
    expect(top.query).toBe(SHARED_TEXT);
    // The statement's row: escaped text, fleet calls, instance count, and each instance's calls.
    const row = new RegExp(`<tr><td><code>${SHARED_TEXT.replace(/[$()]/g, '\\$&')}</code></td><td class="n">${top.calls}</td>.*?<td class="n">3/4</td><td><ul>(.*?)</ul></td></tr>`).exec(html);
    expect(row?.[1]).toBe(top.instances.map((entry) => `<li>${JOB}/${entry.instance}: ${entry.calls} calls, ${formatMs(entry.totalMs)}</li>`).join(''));
    expect(html).toMatch(new RegExp(`<td>${POOL}</td><td class="n">75\\.0 %</td><td class="n">50\\.0 %</td><td class="n">6/12</td>`));
    expect(html).toMatch(new RegExp(`<td>${deadTarget}</td><td>DOWN</td>`));
    expect(html).toMatch(/<td><span class="sev-error">error<\/span><\/td><td>time-delay-call<\/td>/);
  });

  it('answers 404 elsewhere and 502 with the reason when Prometheus is away', async () => {
    expect((await fetch(new URL('elsewhere', pageUrl))).status).toBe(404);
    const away = startDaemon('querylens fleet (no Prometheus)', process.execPath, [CLI, 'fleet', '--prometheus', `http://${deadTarget}`, '--port', '0']);
    try {
      const url = await waitFor('the second fleet page to listen', () => /^querylens fleet: (http:\S+) /m.exec(away.output())?.[1], 20_000);
      const response = await fetch(url);
      expect(response.status).toBe(502);
      expect(await response.text()).toContain(`cannot reach Prometheus at http://${deadTarget}/`);
    } finally {
      await away.stop();
    }
  });
});
