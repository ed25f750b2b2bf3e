/**
 * The recorder end to end without a database: real statement analysis
 * (libpg-query), synthetic timings, real OpenTelemetry metrics, the report.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../agent/config';
import { METRICS } from '../../core/metrics/registry';
import type { QueryEvent } from '../../core/queryEvents';
import type { ExplainRequest, ExplainResult, PlanRequester } from '../../recording/explainRequests';
import { createIndexStatement, type IndexCandidate } from '../../sql/advice/indexCandidate';
import { createQueryRecorder } from '../../recording/queryRecorder';
import { buildReport } from '../../report/buildReport';
import { loadSqlParser } from '../../sql/parse/parser';
import { StatementCache } from '../../recording/statementCache';
import { CacheMetricsReader } from '../helpers/cacheMetrics';

const config = readConfig({ QUERYLENS_MAX_QUERIES: '3', QUERYLENS_SLOW_QUERY_MS: '100' }, (line) => { throw new Error(line); });
const cache = new StatementCache({ maxSqlLength: config.maxSqlLength, disabledRules: new Set(), source: 'runtime' });
const server = { address: '127.0.0.1', port: 5432, database: 'test' };

beforeAll(() => loadSqlParser());

function event(text: string, extra: Partial<QueryEvent> = {}): QueryEvent {
  const analysis = cache.analyze(text);
  if (analysis === undefined) throw new Error('parser not loaded');
  return { analysis, text, values: undefined, durationSeconds: 0.002, rows: 1, errorCode: undefined, contextKey: undefined, traceId: undefined, endedAt: Date.now(), server, ...extra };
}

function setup(planRequester?: PlanRequester) {
  const metrics = new CacheMetricsReader();
  const recorder = createQueryRecorder(config, metrics.meter, { planRequester });
  return { metrics, recorder };
}

describe('query recorder', () => {
  it('exports counters for repeated top-K fingerprints only, evicted one-offs under other', async () => {
    const { metrics, recorder } = setup();
    for (let i = 0; i < 10; i += 1) recorder.onQuery(event('SELECT id FROM ql_rt_orders WHERE id = $1', { values: [i] }));
    const oneOffs = 6;
    for (let table = 0; table < oneOffs; table += 1) recorder.onQuery(event(`SELECT id FROM ql_rt_t${'abcdef'[table]} WHERE id = $1`));
    const calls = await metrics.points(METRICS.queryCalls.name);
    const byFingerprint = new Map(calls.map((p) => [p.attributes.fingerprint, p.value as number]));
    const hot = recorder.topQueries().find((q) => q.collection === 'ql_rt_orders');
    expect([...byFingerprint.keys()].sort()).toEqual([hot!.fingerprint, 'other'].sort());
    expect(byFingerprint.get(hot!.fingerprint)).toBe(10);
    expect(calls.find((p) => p.attributes.fingerprint === hot!.fingerprint)?.attributes['db.operation.name']).toBe('SELECT');
    // One-offs still in the top-K are not exported yet; the evicted ones are under other.
    const residentOneOffs = recorder.topQueries().filter((q) => q.fingerprint !== hot!.fingerprint).reduce((sum, q) => sum + q.calls, 0);
    expect(byFingerprint.get('other')).toBe(oneOffs - residentOneOffs);
    expect(byFingerprint.get('other')).toBe(recorder.otherQueries().calls);
    const info = await metrics.points(METRICS.queryInfo.name);
    expect(info.map((p) => p.attributes.query)).toEqual(['SELECT id FROM ql_rt_orders WHERE id = $1']);
    await metrics.shutdown();
  });

  it('keeps exported counters monotonic across eviction and reset', async () => {
    const { metrics, recorder } = setup();
    const text = 'SELECT id FROM ql_rt_orders WHERE id = $1';
    for (let i = 0; i < 4; i += 1) recorder.onQuery(event(text));
    const fingerprint = recorder.topQueries()[0]!.fingerprint;
    expect(await metrics.value(METRICS.queryCalls.name, { fingerprint })).toBe(4);
    recorder.reset();
    recorder.onQuery(event(text));
    expect(recorder.topQueries()[0]?.calls).toBe(1);
    expect(await metrics.value(METRICS.queryCalls.name, { fingerprint })).toBe(5);
    await metrics.shutdown();
  });

  it('detects an N+1 loop in one request context and counts it', async () => {
    const { metrics, recorder } = setup();
    const each = 0.02;
    for (let i = 0; i < config.nPlusOneThreshold * 2; i += 1) {
      recorder.onQuery(event('SELECT total FROM ql_rt_lines WHERE order_id = $1', { values: [i], contextKey: 'request-1', durationSeconds: each }));
    }
    expect(recorder.nPlusOneLoops()).toMatchObject([{ loops: 1, maxRepetitions: config.nPlusOneThreshold * 2 }]);
    expect(await metrics.value(METRICS.nPlusOne.name, {})).toBe(1);
    expect(await metrics.value(METRICS.findings.name, { rule: 'n-plus-one' })).toBe(1);
    await metrics.shutdown();
  });

  it('names the loop\'s size so far in the finding, not the count at which it crossed the threshold', async () => {
    const { metrics, recorder } = setup();
    const text = 'SELECT total FROM ql_rt_lines WHERE order_id = $1';
    const runs = (contextKey: string, times: number) => {
      for (let i = 0; i < times; i += 1) recorder.onQuery(event(text, { contextKey, durationSeconds: 0.02 }));
    };
    const message = () => recorder.findings().find((finding) => finding.rule === 'n-plus-one')?.message;
    runs('request-1', config.nPlusOneThreshold);
    expect(message()).toContain(`executed ${config.nPlusOneThreshold} times`);
    runs('request-1', 7);
    expect(message()).toContain(`executed ${config.nPlusOneThreshold + 7} times`);
    expect(message()).toContain(`${(config.nPlusOneThreshold + 7) * 20} ms in total`);
    // A later, smaller loop is the latest evidence; the report's summary keeps the largest.
    runs('request-2', config.nPlusOneThreshold + 1);
    expect(message()).toContain(`executed ${config.nPlusOneThreshold + 1} times`);
    expect(recorder.nPlusOneLoops()).toMatchObject([{ loops: 2, maxRepetitions: config.nPlusOneThreshold + 7 }]);
    expect(recorder.findings().find((finding) => finding.rule === 'n-plus-one')?.count).toBe(2);
    await metrics.shutdown();
  });

  it('reports no loop under the QUERYLENS_N_PLUS_ONE_MIN_MS floor, and one when the floor is lowered', async () => {
    const text = 'SELECT total FROM ql_rt_lines WHERE order_id = $1';
    const fastLoop = (minMs: string) => {
      const lowered = readConfig({ QUERYLENS_N_PLUS_ONE_MIN_MS: minMs }, (line) => { throw new Error(line); });
      const metrics = new CacheMetricsReader();
      const recorder = createQueryRecorder(lowered, metrics.meter);
      // 10 executions of 1 ms: 10 ms in total.
      for (let i = 0; i < 10; i += 1) recorder.onQuery(event(text, { contextKey: 'job-1', durationSeconds: 0.001 }));
      return { loops: recorder.nPlusOneLoops(), shutdown: () => metrics.shutdown() };
    };
    const underDefault = fastLoop('50');
    expect(underDefault.loops).toEqual([]);
    await underDefault.shutdown();
    const lowered = fastLoop('5');
    expect(lowered.loops).toMatchObject([{ loops: 1, maxRepetitions: 10 }]);
    await lowered.shutdown();
  });

  it('counts flagged executions of static findings and the findings gauge by rule', async () => {
    const { metrics, recorder } = setup();
    for (let i = 0; i < 3; i += 1) recorder.onQuery(event('SELECT * FROM ql_rt_users'));
    expect(await metrics.value(METRICS.flaggedExecutions.name, { rule: 'select-star' })).toBe(3);
    expect(await metrics.value(METRICS.findings.name, { rule: 'select-star' })).toBe(1);
    await metrics.shutdown();
  });

  it('exports each runtime rule that is on at 0 flagged executions before any statement', async () => {
    const metrics = new CacheMetricsReader();
    const quiet = readConfig({ QUERYLENS_RULES: '-select-star' }, (line) => { throw new Error(line); });
    createQueryRecorder(quiet, metrics.meter);
    const points = await metrics.points(METRICS.flaggedExecutions.name);
    const zeros = new Map(points.map((point) => [point.attributes.rule, [point.attributes.severity, point.value]]));
    expect(zeros.get('limit-without-order')).toEqual(['info', 0]);
    expect(zeros.get('n-plus-one')).toEqual(['warning', 0]);
    expect(zeros.get('plan-seq-scan-filter')?.[1]).toBe(0);
    // Off by QUERYLENS_RULES, or judging files only: never counted, so no series.
    expect(zeros.has('select-star')).toBe(false);
    expect(zeros.has('require-concurrent-index')).toBe(false);
    await metrics.shutdown();
  });

  it('flags a slow statement, asks for its plan once per request the runner accepts, and counts the outcome', async () => {
    const requests: ExplainRequest[] = [];
    const requester: PlanRequester = {
      request(request) {
        requests.push(request);
        return requests.length === 1 ? Promise.resolve({ outcome: 'error', reason: '42P01' }) : undefined;
      },
    };
    const { metrics, recorder } = setup(requester);
    const slow = (config.slowQueryMs * 2) / 1000;
    recorder.onQuery(event('SELECT id FROM ql_rt_big WHERE note = $1', { values: ['x'], durationSeconds: slow }));
    recorder.onQuery(event('SELECT id FROM ql_rt_big WHERE note = $1', { values: ['y'], durationSeconds: slow }));
    recorder.onQuery(event('SELECT id FROM ql_rt_big WHERE note = $1', { values: ['z'], durationSeconds: 0.001 }));
    await recorder.settled();
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({ readOnly: true, statementCount: 1, values: ['x'], server });
    expect(await metrics.value(METRICS.slowQueries.name, { 'db.operation.name': 'SELECT' })).toBe(2);
    expect(await metrics.value(METRICS.explainRuns.name, { outcome: 'error' })).toBe(1);
    const report = buildReport({ serviceName: 's', agentVersion: 'v', startedAt: 0, now: 1000, config, recorder });
    expect(report.slowQueries[0]).toMatchObject({ slowExecutions: 2, calls: 3, explain: { outcome: 'error', reason: '42P01' } });
    await metrics.shutdown();
  });

  it('keeps a statement\'s index suggestion when a later advisor run fails, and withdraws it when one finds nothing', async () => {
    const candidate: IndexCandidate = { table: 'ql_rt_big', columns: [{ name: 'note', descending: false }], equalityColumns: 1, rangeColumns: 0, where: [] };
    const ddl = createIndexStatement(candidate);
    const plan = [{ Plan: { 'Node Type': 'Seq Scan', 'Relation Name': 'ql_rt_big', Filter: '(note = $1)', 'Total Cost': 2000 } }];
    // What the runner answers, one per explained execution: advice, then a failed advisor run (no advice), then advice of nothing.
    const answers: ExplainResult[] = [
      { outcome: 'ok', plan, indexAdvice: [{ candidate, ddl, costBefore: 2000, costAfter: 8, method: 'hypopg' }] },
      { outcome: 'ok', plan },
      { outcome: 'ok', plan, indexAdvice: [] },
    ];
    const requester: PlanRequester = { request: () => Promise.resolve(answers.shift() ?? { outcome: 'skipped' }) };
    const { metrics, recorder } = setup(requester);
    const text = 'SELECT id FROM ql_rt_big WHERE note = $1';
    const slowRun = async (): Promise<{ suggested: string[]; finding: boolean }> => {
      recorder.onQuery(event(text, { values: ['x'], durationSeconds: (config.slowQueryMs * 2) / 1000 }));
      await recorder.settled();
      return {
        suggested: recorder.indexSuggestions().map((suggestion) => suggestion.ddl),
        finding: recorder.findings().some((finding) => finding.rule === 'missing-index' && finding.message.includes(ddl)),
      };
    };
    expect(await slowRun()).toEqual({ suggested: [ddl], finding: true });
    expect(await slowRun()).toEqual({ suggested: [ddl], finding: true });
    expect(await slowRun()).toEqual({ suggested: [], finding: false });
    await metrics.shutdown();
  });

  it('proposes repeated read-only lookups as cache candidates, never writes', () => {
    const { recorder } = setup();
    for (let i = 0; i < 40; i += 1) {
      recorder.onQuery(event('SELECT name FROM ql_rt_countries WHERE code = $1', { values: [i % 2 === 0 ? 'FR' : 'DE'] }));
      recorder.onQuery(event('UPDATE ql_rt_countries SET hits = hits + 1 WHERE code = $1', { values: ['FR'] }));
    }
    const candidates = recorder.cacheCandidates();
    expect(candidates).toHaveLength(1);
    expect(candidates[0]).toMatchObject({ calls: 40, repeats: 38, distinctParameterSets: 2 });
  });

  it('stays bounded under a flood of distinct statements', async () => {
    const { metrics, recorder } = setup();
    const template = event('SELECT * FROM ql_rt_flood WHERE id = $1').analysis;
    const flood = 20_000;
    for (let i = 0; i < flood; i += 1) {
      // Each a distinct fingerprint, each seen twice (so each qualifies for a series), each flagged.
      const analysis = { ...template, fingerprint: `flood-${i}`, normalized: `SELECT * FROM ql_rt_flood_${i} WHERE id = $1` };
      recorder.onQuery(event(analysis.normalized, { analysis, values: [i], contextKey: `request-${i}` }));
      recorder.onQuery(event(analysis.normalized, { analysis, values: [i], contextKey: `request-${i}` }));
      if (i % 1000 === 0) await metrics.points(METRICS.queryCalls.name);
    }
    expect(recorder.topQueries()).toHaveLength(config.maxQueries);
    expect((await metrics.points(METRICS.queryCalls.name)).length).toBeLessThanOrEqual(config.maxQueries * 2 + 1);
    expect(recorder.findings().length).toBeLessThanOrEqual(500);
    // Every execution is counted exactly once: in a series, or still pending in an unlabelled top-K entry.
    const points = await metrics.points(METRICS.queryCalls.name);
    const labelled = new Set(points.map((p) => p.attributes.fingerprint));
    const exported = points.reduce((sum, p) => sum + (p.value as number), 0);
    const pending = recorder.topQueries().filter((q) => !labelled.has(q.fingerprint)).reduce((sum, q) => sum + q.calls, 0);
    expect(exported + pending).toBe(flood * 2);
    await metrics.shutdown();
  });

  it('never throws into the app, and forgets everything on reset', () => {
    const { recorder } = setup();
    recorder.onQuery(event('SELECT 1'));
    expect(() => recorder.onQuery({ ...event('SELECT 1'), analysis: null as never })).not.toThrow();
    recorder.reset();
    expect(recorder.topQueries()).toEqual([]);
    expect(recorder.findings()).toEqual([]);
  });
});
