/**
 * Plan rules over one `EXPLAIN (FORMAT JSON)` result. Pure: the caller runs
 * EXPLAIN (the agent: estimates only, never ANALYZE, on its own connection)
 * and passes the output; ANALYZE figures are used when a plan has them.
 */
import type { PlanNode } from './planNode';
import { estimatedTotalRows, planNodes, readPlan } from './planNode';
import type { PlanFinding, PlanRule, PlanRuleOptions } from './planRule';
import { DEFAULT_PLAN_RULE_OPTIONS } from './planRule';
import { hashSpill } from '../planRules/plan-hash-spill';
import { lossyBitmap } from '../planRules/plan-lossy-bitmap';
import { nestedLoopHuge } from '../planRules/plan-nested-loop-huge';
import { rowMisestimate } from '../planRules/plan-row-misestimate';
import { seqScanFilter } from '../planRules/plan-seq-scan-filter';
import { sortSpill } from '../planRules/plan-sort-spill';
import { staleStatistics } from '../planRules/plan-stale-statistics';

export const PLAN_RULES: readonly PlanRule[] = [seqScanFilter, rowMisestimate, sortSpill, hashSpill, nestedLoopHuge, lossyBitmap, staleStatistics];

/**
 * The plan's own estimate of a relation's size, where it has one: a Seq Scan
 * without a filter returns every row, so its estimate is the relation's row
 * count. Asked before `options.relationRows`.
 */
function withPlanRelationRows(nodes: readonly PlanNode[], options: PlanRuleOptions): PlanRuleOptions {
  const sizes = new Map<string, number>();
  for (const node of nodes) {
    if (node.nodeType === 'Seq Scan' && !node.hasFilter && node.relation !== undefined) sizes.set(node.relation, estimatedTotalRows(node));
  }
  if (sizes.size === 0) return options;
  return { ...options, relationRows: (relation) => sizes.get(relation) ?? options.relationRows(relation) };
}

/** `rules`: default every plan rule; the agent passes those QUERYLENS_RULES leaves on. */
export function analyzePlanTree(root: PlanNode, options: PlanRuleOptions = DEFAULT_PLAN_RULE_OPTIONS, rules: readonly PlanRule[] = PLAN_RULES): PlanFinding[] {
  const nodes = planNodes(root);
  const effective = withPlanRelationRows(nodes, options);
  return nodes.flatMap((node) =>
    rules.flatMap((rule) =>
      rule.check(node, effective).map((hit) => ({
        rule: rule.id,
        category: rule.category,
        severity: hit.severity,
        message: hit.message,
        suggestion: rule.suggestion,
        nodeId: node.id,
      })),
    ),
  );
}

/** Findings for an EXPLAIN output; empty when it is not a plan. */
export function analyzePlan(plan: unknown, options: PlanRuleOptions = DEFAULT_PLAN_RULE_OPTIONS, rules: readonly PlanRule[] = PLAN_RULES): PlanFinding[] {
  const tree = readPlan(plan);
  return tree === undefined ? [] : analyzePlanTree(tree.root, options, rules);
}
