import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzePlan } from '../../sql/plan/analyzePlan';
import { estimatedTotalRows, planNodes, readPlan } from '../../sql/plan/planNode';
import { DEFAULT_PLAN_RULE_OPTIONS, type PlanRuleOptions } from '../../sql/plan/planRule';

// Plans captured from the real PostgreSQL by test/fixtures/plans/capture-plans.mjs.
interface Fixture {
  readonly sql: string;
  readonly settings: Readonly<Record<string, string>>;
  readonly relationRows: Readonly<Record<string, number>>;
  readonly plan: unknown;
}

function fixture(name: string): Fixture {
  return JSON.parse(readFileSync(new URL(`../fixtures/plans/${name}.json`, import.meta.url), 'utf8')) as Fixture;
}

function optionsFor(plan: Fixture, extra: Partial<PlanRuleOptions> = {}): PlanRuleOptions {
  const workMem = plan.settings['work_mem'];
  return {
    ...DEFAULT_PLAN_RULE_OPTIONS,
    relationRows: (relation) => plan.relationRows[relation],
    ...(workMem === undefined ? {} : { workMemBytes: Number.parseInt(workMem, 10) * 1024 }),
    ...extra,
  };
}

function rulesOf(plan: Fixture, extra: Partial<PlanRuleOptions> = {}) {
  return analyzePlan(plan.plan, optionsFor(plan, extra)).map((finding) => `${finding.rule}:${finding.severity}`);
}

const relationRowsOf = (plan: Fixture) => Object.values(plan.relationRows)[0];

describe('plan rules on captured plans', () => {
  it('flags a sequential scan whose filter keeps almost nothing of a big relation', () => {
    const plan = fixture('seq-scan-selective');
    const findings = analyzePlan(plan.plan, optionsFor(plan));
    expect(findings.map((finding) => `${finding.rule}:${finding.severity}`)).toEqual(['plan-seq-scan-filter:error']);
    expect(findings[0].message).toContain(relationRowsOf(plan).toLocaleString('en-US'));
    expect(findings[0].message).toContain('estimated');
    expect(findings[0].message).not.toContain('not-there');
    // Without a relation size there is nothing to compare the estimate with.
    expect(analyzePlan(plan.plan, { ...optionsFor(plan), relationRows: () => undefined })).toEqual([]);
    // A relation under the "big" threshold is not worth an index.
    expect(rulesOf(plan, { bigRelationRows: relationRowsOf(plan) + 1 })).toEqual([]);
  });

  it('sizes a relation from an unfiltered scan of it in the same plan', () => {
    const plan = fixture('seq-scan-sized-by-plan');
    const findings = analyzePlan(plan.plan, { ...optionsFor(plan), relationRows: () => undefined });
    expect(findings.map((finding) => `${finding.rule}:${finding.severity}`)).toEqual(['plan-seq-scan-filter:error']);
  });

  it('counts every process of a parallel scan, as the Gather above it does', () => {
    const plan = fixture('parallel-seq-scan-filter');
    const tree = readPlan(plan.plan);
    const gather = tree?.root;
    const scan = gather?.children[0];
    expect(scan?.parallelAware).toBe(true);
    const total = scan === undefined ? 0 : estimatedTotalRows(scan);
    // PostgreSQL rounds the Gather's estimate; the divisor must land within a row of it.
    expect(Math.abs(total - (gather?.planRows ?? 0))).toBeLessThanOrEqual(1);
    expect(total).toBeGreaterThan(scan?.planRows ?? 0);
    const removed = 1 - total / relationRowsOf(plan);
    expect(rulesOf(plan, { removedSevere: removed + (1 - removed) / 2 })).toEqual(['plan-seq-scan-filter:warning']);
  });

  it('uses rows removed by filter when the plan was executed', () => {
    const plan = fixture('seq-scan-selective-analyze');
    const findings = analyzePlan(plan.plan, { ...optionsFor(plan), relationRows: () => undefined });
    expect(findings.map((finding) => finding.rule)).toEqual(['plan-seq-scan-filter']);
    expect(findings[0].message).toContain('measured');
    // Severity follows the share removed: nothing can remove more than everything.
    expect(rulesOf(plan, { removedSevere: 1 })).toEqual(['plan-seq-scan-filter:warning']);
    expect(rulesOf(plan, { removedWarn: 1 })).toEqual([]);
  });

  it('flags a nested loop with a huge outer × inner estimate', () => {
    const plan = fixture('nested-loop-huge');
    const findings = analyzePlan(plan.plan, optionsFor(plan));
    expect(findings.map((finding) => finding.rule)).toEqual(['plan-nested-loop-huge']);
    const root = readPlan(plan.plan)?.root;
    const [outer, inner] = root?.children ?? [];
    expect(rulesOf(plan, { nestedLoopRows: outer.planRows * inner.planRows + 1 })).toEqual([]);
  });

  it('flags sorts estimated beyond work_mem and sorts that spilled', () => {
    const estimated = fixture('sort-estimate-over-work-mem');
    expect(rulesOf(estimated)).toEqual(['plan-sort-spill:info']);
    const sort = readPlan(estimated.plan)?.root;
    expect(rulesOf(estimated, { workMemBytes: (sort?.planRows ?? 0) * (sort?.planWidth ?? 0) })).toEqual([]);
    const measured = fixture('sort-external-analyze');
    const findings = analyzePlan(measured.plan, optionsFor(measured));
    expect(findings.map((finding) => `${finding.rule}:${finding.severity}`)).toEqual(['plan-sort-spill:warning']);
    expect(findings[0].message).toContain('external merge');
  });

  it('flags a hash join that needed several batches', () => {
    const plan = fixture('hash-batches-analyze');
    expect(rulesOf(plan)).toContain('plan-hash-spill:warning');
  });

  it('reports a row mis-estimate once, where it starts', () => {
    const plan = fixture('misestimate-analyze');
    const findings = analyzePlan(plan.plan, optionsFor(plan));
    expect(findings.map((finding) => finding.rule)).toEqual(['plan-row-misestimate']);
    expect(findings[0].nodeId).toBe(0);
    expect(findings[0].message).toMatch(/\d+× under-estimate/);
  });

  it('flags a lossy bitmap heap scan', () => {
    expect(rulesOf(fixture('lossy-bitmap-analyze'))).toEqual(['plan-lossy-bitmap:warning']);
  });

  it('finds nothing in a clean primary-key lookup', () => {
    expect(rulesOf(fixture('index-scan-clean'))).toEqual([]);
  });

  it('reads the tree in pre-order and rejects what is not a plan', () => {
    const tree = readPlan(JSON.stringify(fixture('hash-batches-analyze').plan));
    const nodes = planNodes(tree?.root ?? expect.fail('no plan'));
    expect(nodes.map((node) => node.id)).toEqual(nodes.map((_, index) => index));
    expect(nodes.map((node) => node.nodeType)).toEqual(['Hash Join', 'Seq Scan', 'Hash', 'Seq Scan']);
    expect(tree?.executionTimeMs).toBeGreaterThan(0);
    expect(readPlan('not json')).toBeUndefined();
    expect(readPlan([{ NoPlan: true }])).toBeUndefined();
    expect(analyzePlan({})).toEqual([]);
  });
});
