import { describe, expect, it } from 'vitest';
import type { StaticFinding } from '../../core/statementAnalysis';
import { FindingsStore } from '../../recording/findingsStore';

const selectStar: StaticFinding = { rule: 'select-star', category: 'performance', severity: 'info', message: 'SELECT * on "users"', suggestion: 'Name the columns.' };
const slow: StaticFinding = { rule: 'slow-query', category: 'performance', severity: 'warning', message: 'took 900 ms', suggestion: 'Read the plan.' };
const wildcard: StaticFinding = { rule: 'leading-wildcard-like', category: 'performance', severity: 'warning', message: 'LIKE starts with %', suggestion: 'Use a trigram index.' };
const injection: StaticFinding = { rule: 'stacked-statements', category: 'security', severity: 'error', message: '2 statements', suggestion: 'One per call.' };

describe('FindingsStore', () => {
  it('registers static findings once and counts every execution of the statement', () => {
    const store = new FindingsStore();
    for (let at = 1; at <= 3; at += 1) {
      const flagged = store.observe('fp', 'SELECT * FROM users', [selectStar], at);
      expect(flagged.map((f) => f.rule)).toEqual(['select-star']);
    }
    const [finding] = store.list();
    expect(finding).toMatchObject({ rule: 'select-star', fingerprint: 'fp', example: 'SELECT * FROM users', count: 3, firstSeen: 1, lastSeen: 3, persistence: 'sticky' });
  });

  it('counts event findings per occurrence and sticky runtime findings per later execution', () => {
    const store = new FindingsStore();
    store.observe('fp', 'q', [], 1);
    store.raise('fp', 'q', slow, 1, 'event');
    store.raise('fp', 'q', wildcard, 1, 'sticky');
    store.observe('fp', 'q', [], 2);
    store.observe('fp', 'q', [], 3);
    store.raise('fp', 'q', slow, 3, 'event');
    const byRule = Object.fromEntries(store.list().map((f) => [f.rule, f.count]));
    expect(byRule).toEqual({ 'slow-query': 2, 'leading-wildcard-like': 3 });
    expect(store.has('fp', 'slow-query')).toBe(true);
    expect(store.rulesFor('fp').sort()).toEqual(['leading-wildcard-like', 'slow-query']);
  });

  it('does not create entries for statements without findings', () => {
    const store = new FindingsStore();
    expect(store.observe('clean', 'SELECT 1', [], 1)).toEqual([]);
    expect(store.list()).toEqual([]);
  });

  it('lists errors first and counts distinct fingerprints per rule for the gauge', () => {
    const store = new FindingsStore();
    store.observe('a', 'qa', [selectStar], 1);
    store.observe('b', 'qb', [selectStar, injection], 1);
    expect(store.list()[0]?.severity).toBe('error');
    const counts = store.countsByRule().sort((x, y) => x.rule.localeCompare(y.rule));
    expect(counts).toEqual([
      { rule: 'select-star', severity: 'info', category: 'performance', fingerprints: 2 },
      { rule: 'stacked-statements', severity: 'error', category: 'security', fingerprints: 1 },
    ]);
  });

  it('shows the plan only with the findings that asked for it', () => {
    const store = new FindingsStore();
    store.observe('fp', 'q', [selectStar], 1);
    store.raise('fp', 'q', slow, 1, 'event', true);
    store.attachPlan('fp', { plan: [{ Plan: { 'Node Type': 'Seq Scan' } }], summary: 'Seq Scan', explainedAt: 2 });
    const byRule = new Map(store.list().map((f) => [f.rule, f]));
    expect(byRule.get('slow-query')?.plan?.summary).toBe('Seq Scan');
    expect(byRule.get('select-star')?.plan).toBeUndefined();
  });

  it('withdraws plan findings a fresh plan no longer shows, keeping the others', () => {
    const store = new FindingsStore();
    const seqScan: StaticFinding = { rule: 'plan-seq-scan-filter', category: 'performance', severity: 'error', message: 'Seq Scan reads 100,000 rows', suggestion: 'Add an index.' };
    const spill: StaticFinding = { rule: 'plan-sort-spill', category: 'performance', severity: 'warning', message: 'Sort spills', suggestion: 'Raise work_mem.' };
    store.observe('fp', 'q', [selectStar], 1);
    store.raise('fp', 'q', slow, 1, 'event', true);
    store.replacePlanFindings('fp', 'q', [seqScan, spill], 2);
    expect(store.rulesFor('fp').sort()).toEqual(['plan-seq-scan-filter', 'plan-sort-spill', 'select-star', 'slow-query']);
    store.replacePlanFindings('fp', 'q', [spill], 3);
    expect(store.rulesFor('fp').sort()).toEqual(['plan-sort-spill', 'select-star', 'slow-query']);
    // The withdrawn finding is no longer counted on later executions.
    expect(store.observe('fp', 'q', [selectStar], 4).map((f) => f.rule).sort()).toEqual(['plan-sort-spill', 'select-star']);
  });

  it('is bounded in fingerprints and plans', () => {
    const store = new FindingsStore({ maxFingerprints: 3, maxPlans: 1 });
    for (let i = 0; i < 10; i += 1) store.observe(`fp${i}`, 'q', [selectStar], i);
    expect(new Set(store.list().map((f) => f.fingerprint))).toEqual(new Set(['fp7', 'fp8', 'fp9']));
    store.attachPlan('fp8', { plan: 1, summary: 'a', explainedAt: 1 });
    store.attachPlan('fp9', { plan: 2, summary: 'b', explainedAt: 2 });
    expect(store.planFor('fp8')).toBeUndefined();
    expect(store.planFor('fp9')?.summary).toBe('b');
  });

  it('forgets everything on reset', () => {
    const store = new FindingsStore();
    store.observe('fp', 'q', [selectStar], 1);
    store.reset();
    expect(store.list()).toEqual([]);
    expect(store.countsByRule()).toEqual([]);
  });
});
