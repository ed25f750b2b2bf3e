/**
 * QUERYLENS_RULES switches off any rule of the catalogue at runtime: the
 * runtime detectors and the plan rules as well as the statement rules. One
 * workload raises every detector's finding; run again with one id disabled,
 * only that finding is missing.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../agent/config';
import { warnUnknownRules } from '../../agent/startAnalysis';
import type { QueryEvent } from '../../core/queryEvents';
import type { PlanRequester } from '../../recording/explainRequests';
import { createQueryRecorder, type QueryRecorder } from '../../recording/queryRecorder';
import { StatementCache } from '../../recording/statementCache';
import { RULE_CATALOGUE } from '../../sql/catalogue/ruleCatalogue';
import { loadSqlParser } from '../../sql/parse/parser';
import { CacheMetricsReader } from '../helpers/cacheMetrics';

const server = { address: '127.0.0.1', port: 5432, database: 'test' };
const seqScan = JSON.parse(readFileSync(new URL('../fixtures/plans/seq-scan-selective.json', import.meta.url), 'utf8')) as { plan: unknown; relationRows: Record<string, number> };
const planRequester: PlanRequester = { request: () => Promise.resolve({ outcome: 'ok', plan: seqScan.plan, relationRows: seqScan.relationRows }) };

beforeAll(() => loadSqlParser());

/** Every runtime detector and one plan rule fire on this workload. */
async function findingsWith(rules: string): Promise<{ rules: Set<string>; recorder: QueryRecorder }> {
  const config = readConfig({ QUERYLENS_RULES: rules, QUERYLENS_SLOW_QUERY_MS: '100', QUERYLENS_UNBOUNDED_ROWS: '10' }, (line) => { throw new Error(line); });
  const cache = new StatementCache({ maxSqlLength: config.maxSqlLength, disabledRules: config.disabledRules, source: 'runtime' });
  const recorder = createQueryRecorder(config, new CacheMetricsReader().meter, { planRequester });
  const send = (text: string, extra: Partial<QueryEvent> = {}): void => {
    const analysis = cache.analyze(text);
    if (analysis === undefined) throw new Error('parser not loaded');
    recorder.onQuery({ analysis, text, values: undefined, durationSeconds: 0.002, rows: 1, errorCode: undefined, contextKey: undefined, traceId: undefined, endedAt: Date.now(), server, ...extra });
  };
  for (let i = 0; i < 10; i += 1) send('SELECT total FROM ql_sw_lines WHERE order_id = $1', { values: [i], contextKey: 'request-1', durationSeconds: 0.02 });
  send('SELECT id FROM ql_plan_fixture WHERE payload = $1', { values: ['x'], durationSeconds: 0.2 });
  send('SELECT id FROM ql_sw_all', { rows: 50 });
  for (let i = 0; i < 25; i += 1) send(`SELECT id FROM ql_sw_items WHERE note = 'item-${i}'`);
  for (let i = 0; i < 40; i += 1) send('SELECT name FROM ql_sw_countries WHERE code = $1', { values: [i % 2 === 0 ? 'FR' : 'DE'] });
  await recorder.settled();
  return { rules: new Set(recorder.findings().map((finding) => finding.rule)), recorder };
}

describe('QUERYLENS_RULES at runtime', () => {
  it('raises every detector and the plan rule when nothing is disabled', async () => {
    const { rules, recorder } = await findingsWith('');
    for (const rule of ['n-plus-one', 'slow-query', 'unbounded-result', 'literal-built-sql', 'plan-seq-scan-filter']) expect(rules, rule).toContain(rule);
    expect(recorder.nPlusOneLoops()).toHaveLength(1);
    expect(recorder.cacheCandidates()).toHaveLength(1);
  });

  it.each(['n-plus-one', 'slow-query', 'unbounded-result', 'literal-built-sql', 'plan-seq-scan-filter'])('switches off %s and nothing else', async (id) => {
    const { rules } = await findingsWith(`-${id}`);
    expect(rules).not.toContain(id);
    const others = ['n-plus-one', 'slow-query', 'unbounded-result', 'literal-built-sql', 'plan-seq-scan-filter'].filter((other) => other !== id);
    for (const other of others) expect(rules, other).toContain(other);
  });

  it('stops the N+1 loop summaries and the cache candidates with their rules', async () => {
    const { recorder } = await findingsWith('-n-plus-one,-cache-candidate');
    expect(recorder.nPlusOneLoops()).toEqual([]);
    expect(recorder.cacheCandidates()).toEqual([]);
  });

  it('warns once about ids of no kind, and accepts every catalogue id', () => {
    const warnings: string[] = [];
    warnUnknownRules(new Set(RULE_CATALOGUE.map((rule) => rule.id)), (line) => warnings.push(line));
    expect(warnings).toEqual([]);
    warnUnknownRules(new Set(['n-plus-one', 'n-plus-two']), (line) => warnings.push(line));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^querylens: QUERYLENS_RULES names unknown rules "n-plus-two" \(accepted: .*n-plus-one.*\); they are ignored$/);
  });
});
