/**
 * The planner's row estimate is off by 10× or more (EXPLAIN ANALYZE only).
 * Reported where it starts: a node whose children estimated well, since an
 * error near the leaves repeats in every node above it.
 */
import { formatCount } from '../ruleWording';
import type { PlanNode } from '../plan/planNode';
import { describeNode } from '../plan/planNode';
import type { PlanRule, PlanRuleHit, PlanRuleOptions } from '../plan/planRule';

/** Actual ÷ estimated (or the inverse), ≥ 1; undefined without ANALYZE figures or below the noise floor. */
export function misestimateFactor(node: PlanNode, options: PlanRuleOptions): number | undefined {
  if (node.actual === undefined || node.actual.loops === 0) return undefined;
  const actual = node.actual.rows;
  const estimated = node.planRows;
  if (Math.max(actual, estimated) < options.misestimateMinRows) return undefined;
  return Math.max(actual, estimated) / Math.max(Math.min(actual, estimated), 1);
}

function isMisestimated(node: PlanNode, options: PlanRuleOptions): boolean {
  return (misestimateFactor(node, options) ?? 0) >= options.misestimateFactor;
}

export const rowMisestimate: PlanRule = {
  id: 'plan-row-misestimate',
  category: 'performance',
  severity: 'warning',
  description: 'The planner\'s row estimate is off by 10× or more where the error starts (EXPLAIN ANALYZE only): plans built on it can be far from the best.',
  suggestion:
    'Run ANALYZE on the tables involved; for correlated columns add extended statistics (CREATE STATISTICS … (dependencies, mcv) ON a, b FROM t) so join and scan choices fit the real row counts.',
  check(node, options): PlanRuleHit[] {
    const factor = misestimateFactor(node, options);
    if (factor === undefined || factor < options.misestimateFactor) return [];
    if (node.children.some((child) => isMisestimated(child, options))) return [];
    const direction = (node.actual?.rows ?? 0) > node.planRows ? 'under' : 'over';
    return [
      {
        severity: 'warning',
        message: `${describeNode(node)}: the planner estimated ${formatCount(Math.round(node.planRows))} rows, ${formatCount(Math.round(node.actual?.rows ?? 0))} came out (${Math.round(factor)}× ${direction}-estimate)`,
      },
    ];
  },
};
