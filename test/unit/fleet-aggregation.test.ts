/**
 * The fleet view's pure parts: the PromQL it sends (valid, scoped to the jobs
 * asked for, from registry names only), the aggregation of per-instance
 * samples into statements, findings, pools and instances (each keyed by job
 * and instance, rendered as job/instance), and the options of
 * `querylens report --prometheus` / `querylens fleet`. The real Prometheus is
 * in test/e2e/fleet-prometheus.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fleetQueries, jobMatchers } from '../../fleet/fleetQueries';
import { fleetStatements } from '../../fleet/fleetStatements';
import { fleetFindings } from '../../fleet/fleetFindings';
import { fleetPools } from '../../fleet/fleetPools';
import { fleetInstances } from '../../fleet/fleetInstances';
import { instancesDiffer } from '../../fleet/instanceSpread';
import { queryUrl, type VectorSample } from '../../fleet/prometheusApi';
import { buildFleetReport, type FleetSamples } from '../../fleet/readFleet';
import { renderFleetPage } from '../../fleet/renderFleetPage';
import { formatFleetReportText } from '../../agent/cli/formatFleetReport';
import { fleetScope, fleetTarget } from '../../agent/cli/fleetArgs';
import { UsageError } from '../../agent/cli/command';
import { knownSeries, parsePromql } from '../helpers/promqlSyntax';

const sample = (value: number, labels: Record<string, string>): VectorSample => ({ labels, value });
const A = '10.0.0.1:9464';
const B = '10.0.0.2:9464';
const JOB = 'api';

describe('fleet queries', () => {
  it.each([
    [{ jobs: [], window: undefined }],
    [{ jobs: ['checkout'], window: undefined }],
    [{ jobs: ['checkout "eu"', 'a.b|c'], window: '1h30m' }],
  ])('are valid PromQL selecting only known series, each scoped to the jobs (%j)', (scope) => {
    const known = knownSeries();
    for (const [name, expr] of Object.entries(fleetQueries(scope))) {
      const parsed = parsePromql(expr);
      expect(parsed.errors, `${name}: ${expr}`).toEqual([]);
      for (const selector of parsed.selectors) {
        expect(known.has(selector.metric), `${name} selects ${selector.metric}`).toBe(true);
        const job = selector.matchers.filter((matcher) => matcher.label === 'job');
        expect(job.length, expr).toBe(scope.jobs.length === 0 ? 0 : 1);
        if (scope.window !== undefined && selector.rangeFunction !== undefined) expect(selector.range).toBe(scope.window);
      }
    }
  });

  it('reads counters as they are without a window, and as increase() over one', () => {
    expect(fleetQueries({ jobs: [], window: undefined }).calls).toBe('sum by (job, instance, fingerprint, db_operation_name, db_collection_name) (querylens_query_calls_total{})');
    expect(fleetQueries({ jobs: ['api'], window: '15m' }).calls)
      .toBe('sum by (job, instance, fingerprint, db_operation_name, db_collection_name) (increase(querylens_query_calls_total{job="api"}[15m]))');
  });

  it('keep every per-instance figure by job and instance, so two jobs\' targets never sum into one', () => {
    const { up, queryInfo, ...perInstance } = fleetQueries({ jobs: [], window: '1h' });
    expect(up).not.toMatch(/ by /);
    expect(queryInfo).toMatch(/ by \(fingerprint, query\)/);
    for (const [name, expr] of Object.entries(perInstance)) expect(expr, name).toMatch(/ by \(job, instance, /);
  });

  it('matches several jobs exactly: regex characters in a job name are literal', () => {
    const [matcher] = jobMatchers(['a.b', 'c|d', 'e']);
    const value = parsePromql(`up{${matcher}}`).selectors[0].matchers[0].value;
    // Prometheus anchors label regexes at both ends.
    const matches = (job: string) => new RegExp(`^(?:${value})$`).test(job);
    expect(['a.b', 'c|d', 'e'].every(matches)).toBe(true);
    expect(['aXb', 'c', 'd', 'ee'].some(matches)).toBe(false);
  });

  it('asks every query for the same instant', () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    const url = new URL(queryUrl({ url: new URL('http://mimir:8080/prometheus'), headers: {}, timeoutMs: 1 }, 'up', at));
    expect(url.pathname).toBe('/prometheus/api/v1/query');
    expect(url.searchParams.get('time')).toBe('1767323045.678');
  });
});

describe('fleet statements', () => {
  const labels = (instance: string, fingerprint: string) => ({ job: JOB, instance, fingerprint, db_operation_name: 'SELECT', db_collection_name: 'orders' });

  it('sums a fingerprint across instances, keeps each instance\'s figures and the longest text, and leaves `other` out of the top', () => {
    const { statements, other } = fleetStatements({
      calls: [sample(3, labels(A, 'f1')), sample(5, labels(B, 'f1')), sample(2, labels(B, 'f2')), sample(7, labels(A, 'other'))],
      time: [sample(0.3, labels(A, 'f1')), sample(0.1, labels(B, 'f1')), sample(0.5, labels(B, 'f2')), sample(0.1, labels(A, 'other'))],
      rows: [sample(3, labels(A, 'f1')), sample(5, labels(B, 'f1'))],
      errors: [sample(1, labels(B, 'f1'))],
      // One instance labelled f1 while its analysis was deferred: the keyword-only placeholder.
      queryInfo: [sample(1, { fingerprint: 'f1', query: 'SELECT …' }), sample(1, { fingerprint: 'f1', query: 'select id from orders where id = $1' })],
    });
    expect(statements.map((statement) => statement.fingerprint)).toEqual(['f2', 'f1']);
    const f1 = statements[1];
    expect(f1).toMatchObject({ query: 'select id from orders where id = $1', calls: 8, rows: 8, errors: 1, operation: 'SELECT', collection: 'orders' });
    expect(f1.totalMs).toBeCloseTo(400, 9);
    expect(f1.meanMs).toBeCloseTo(50, 9);
    expect(f1.shareOfTime).toBeCloseTo(0.4 / 1.0, 9);
    expect(f1.instances.map((entry) => [entry.instance, entry.calls])).toEqual([[A, 3], [B, 5]]);
    expect(statements[0].query).toBe('');
    expect(other.calls).toBe(7);
    expect(other.totalMs).toBeCloseTo(100, 9);
  });

  it('drops a statement with nothing in the window (a window\'s increase of 0)', () => {
    const { statements } = fleetStatements({ calls: [sample(0, labels(A, 'f1'))], time: [sample(0, labels(A, 'f1'))], rows: [], errors: [], queryInfo: [] });
    expect(statements).toEqual([]);
  });
});

describe('fleet findings', () => {
  it('groups by rule, errors first, with the category from the findings gauge, and leaves out rules that flagged nothing', () => {
    const findings = fleetFindings({
      findings: [
        sample(2, { job: JOB, instance: A, rule: 'select-star', severity: 'warning', category: 'performance' }),
        sample(1, { job: JOB, instance: B, rule: 'select-star', severity: 'warning', category: 'performance' }),
        sample(1, { job: JOB, instance: B, rule: 'null-equality', severity: 'error', category: 'correctness' }),
      ],
      flagged: [
        sample(10, { job: JOB, instance: A, rule: 'select-star', severity: 'warning' }),
        sample(4, { job: JOB, instance: B, rule: 'select-star', severity: 'warning' }),
        sample(3, { job: JOB, instance: B, rule: 'null-equality', severity: 'error' }),
        sample(0, { job: JOB, instance: A, rule: 'large-offset', severity: 'warning' }),
        sample(5, { job: JOB, instance: A, rule: 'n-plus-one', severity: 'warning' }),
      ],
    });
    expect(findings.map((finding) => finding.rule)).toEqual(['null-equality', 'select-star', 'n-plus-one']);
    expect(findings[1]).toEqual({
      rule: 'select-star', severity: 'warning', category: 'performance', executions: 14, maxFingerprints: 2,
      instances: [{ job: JOB, instance: A, fingerprints: 2, executions: 10 }, { job: JOB, instance: B, fingerprints: 1, executions: 4 }],
    });
    // A runtime detector: flagged executions without a findings gauge.
    expect(findings[2]).toMatchObject({ category: '', executions: 5, maxFingerprints: 0 });
  });
});

describe('fleet pools', () => {
  const ofPool = (value: number, instance: string, pool: string) => sample(value, { job: JOB, instance, db_client_connection_pool_name: pool });
  const inState = (value: number, instance: string, pool: string, state: string) =>
    sample(value, { job: JOB, instance, db_client_connection_pool_name: pool, db_client_connection_state: state });

  it('puts the pool with the most saturated instance first, and says nothing of a pool without a maximum', () => {
    const pools = fleetPools({
      poolConnections: [
        inState(2, A, 'orders', 'used'),
        inState(8, A, 'orders', 'idle'),
        inState(9, B, 'orders', 'used'),
        inState(4, A, 'reports', 'used'),
        inState(1, A, 'unbounded', 'used'),
      ],
      poolMax: [
        ofPool(10, A, 'orders'),
        ofPool(10, B, 'orders'),
        ofPool(5, A, 'reports'),
      ],
      poolPending: [ofPool(3, B, 'orders')],
      poolTimeouts: [ofPool(2, B, 'orders')],
    });
    expect(pools.map((pool) => pool.pool)).toEqual(['orders', 'reports', 'unbounded']);
    expect(pools[0]).toMatchObject({ used: 11, max: 20, pending: 3, timeouts: 2, saturation: 0.55, maxSaturation: 0.9 });
    expect(pools[0].instances.map((entry) => [entry.instance, entry.saturation, entry.idle])).toEqual([[B, 0.9, 0], [A, 0.2, 8]]);
    expect(pools[2]).toMatchObject({ saturation: undefined, maxSaturation: undefined });
  });
});

describe('fleet instances', () => {
  it('lists agents, and down targets only of jobs that run the agent', () => {
    const instances = fleetInstances({
      agentInfo: [sample(1, { job: 'api', instance: A, version: '1.2.3' })],
      targetInfo: [sample(1, { job: 'api', instance: A, service_name: 'checkout' })],
      up: [sample(1, { job: 'api', instance: A }), sample(0, { job: 'api', instance: B }), sample(0, { job: 'node', instance: 'n:9100' }), sample(1, { job: 'prometheus', instance: 'p:9090' })],
    });
    expect(instances).toEqual([
      { job: 'api', instance: A, up: true, service: 'checkout', agentVersion: '1.2.3' },
      { job: 'api', instance: B, up: false, service: undefined, agentVersion: undefined },
    ]);
  });

  it('lists per-instance figures only where some instance lacks the item or two differ', () => {
    expect(instancesDiffer(['3 calls', '3 calls'], 2)).toBe(false);
    expect(instancesDiffer(['3 calls', '4 calls'], 2)).toBe(true);
    expect(instancesDiffer(['3 calls'], 2)).toBe(true);
  });
});

describe('two jobs whose targets share an instance value', () => {
  // `instance` relabelled to the pod name: checkout's and billing's first pods are both pod-0.
  const POD = 'pod-0';
  const statementOf = (value: number, job: string) => sample(value, { job, instance: POD, fingerprint: 'f1', db_operation_name: 'SELECT', db_collection_name: 'orders' });
  const agentOf = (job: string) => sample(1, { job, instance: POD, version: '1.2.3' });
  const inPool = (value: number, job: string, extra: Record<string, string> = {}) => sample(value, { job, instance: POD, db_client_connection_pool_name: 'orders', ...extra });
  const samples: FleetSamples = {
    up: [sample(1, { job: 'checkout', instance: POD }), sample(1, { job: 'billing', instance: POD })],
    agentInfo: [agentOf('checkout'), agentOf('billing')],
    targetInfo: [],
    calls: [statementOf(3, 'checkout'), statementOf(5, 'billing')],
    time: [statementOf(0.3, 'checkout'), statementOf(0.1, 'billing')],
    rows: [],
    errors: [],
    queryInfo: [sample(1, { fingerprint: 'f1', query: 'select 1' })],
    findings: [
      sample(2, { job: 'checkout', instance: POD, rule: 'select-star', severity: 'warning', category: 'performance' }),
      sample(1, { job: 'billing', instance: POD, rule: 'select-star', severity: 'warning', category: 'performance' }),
    ],
    flagged: [sample(10, { job: 'checkout', instance: POD, rule: 'select-star', severity: 'warning' }), sample(4, { job: 'billing', instance: POD, rule: 'select-star', severity: 'warning' })],
    poolConnections: [inPool(9, 'checkout', { db_client_connection_state: 'used' }), inPool(1, 'billing', { db_client_connection_state: 'used' })],
    poolMax: [inPool(10, 'checkout'), inPool(10, 'billing')],
    poolPending: [],
    poolTimeouts: [],
  };
  const report = buildFleetReport({ url: new URL('http://prometheus:9090/'), headers: {}, timeoutMs: 1 }, { jobs: [], window: undefined }, samples, new Date(0));

  it('keeps each job\'s statement figures, findings and pools apart', () => {
    expect(report.instances.map((instance) => [instance.job, instance.instance])).toEqual([['billing', POD], ['checkout', POD]]);
    expect(report.statements[0].instances.map((entry) => [entry.job, entry.instance, entry.calls])).toEqual([['checkout', POD, 3], ['billing', POD, 5]]);
    const [star] = report.findings;
    // The most on one target, not the two jobs' fingerprints added up.
    expect(star).toMatchObject({ executions: 14, maxFingerprints: 2 });
    expect(star.instances).toEqual([{ job: 'checkout', instance: POD, fingerprints: 2, executions: 10 }, { job: 'billing', instance: POD, fingerprints: 1, executions: 4 }]);
    const [orders] = report.pools;
    // One target at 9 of 10: merged with the other job's pod it would read as 10 of 20.
    expect(orders).toMatchObject({ used: 10, max: 20, maxSaturation: 0.9 });
    expect(orders.instances.map((entry) => [entry.job, entry.used, entry.max])).toEqual([['checkout', 9, 10], ['billing', 1, 10]]);
  });

  it('names each target with its job on the page and in the text', () => {
    const html = renderFleetPage(report, { refreshSeconds: 0 });
    expect(html).toContain(`<li>checkout/${POD}: 3 calls, `);
    expect(html).toContain(`<li>billing/${POD}: 5 calls, `);
    expect(html).toContain(`<li>checkout/${POD}: 9/10 (90.0 %), 0 waiting</li><li>billing/${POD}: 1/10 (10.0 %), 0 waiting</li>`);
    const text = formatFleetReportText(report, 10);
    expect(text).toMatch(new RegExp(`per instance: checkout/${POD} 3 calls .* · billing/${POD} 5 calls `));
    expect(text).toContain(`per instance: checkout/${POD} 10x, 2 statements · billing/${POD} 4x, 1 statement`);
  });
});

describe('fleet options', () => {
  const target = (prometheus: string, header: string[] = []) => fleetTarget({ prometheus, job: [], header }, 1000);

  it.each([
    ['prometheus:9090', 'http://prometheus:9090/'],
    ['http://127.0.0.1:9090/', 'http://127.0.0.1:9090/'],
    ['https://mimir.internal/prometheus', 'https://mimir.internal/prometheus'],
    ['http://127.0.0.1:9090/api/v1/query?query=up', 'http://127.0.0.1:9090/'],
  ])('reads Prometheus at %s as %s', (input, expected) => {
    expect(target(input).url.href).toBe(expected);
  });

  it('passes headers on, and refuses what is not a header, a URL or a duration', () => {
    expect(target('p:9090', ['X-Scope-OrgID: tenant-1', 'Authorization:Bearer x']).headers).toEqual({ 'X-Scope-OrgID': 'tenant-1', Authorization: 'Bearer x' });
    expect(() => target('p:9090', ['no colon'])).toThrow(UsageError);
    expect(() => target('ftp://p:9090')).toThrow(/must be http/);
    expect(() => fleetScope({ job: [], header: [], window: '1 hour' })).toThrow(/not a PromQL duration/);
    expect(fleetScope({ job: ['api', ' '], header: [], window: '1h30m' })).toEqual({ jobs: ['api'], window: '1h30m' });
  });

  it('sends credentials in the URL as Basic authentication and keeps them out of the URL it shows', () => {
    const read = target('https://ops:s%40cret@prom.internal/');
    expect(read.url.href).toBe('https://prom.internal/');
    expect(read.headers).toEqual({ Authorization: `Basic ${Buffer.from('ops:s@cret').toString('base64')}` });
  });
});
