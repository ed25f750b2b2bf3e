/**
 * A nested loop whose outer side drives its inner side very many times:
 * outer rows × inner rows per loop, measured when the plan has ANALYZE
 * figures, else estimated.
 */
import { formatCount } from '../ruleWording';
import type { PlanNode } from '../plan/planNode';
import { describeNode } from '../plan/planNode';
import type { PlanRule, PlanRuleHit } from '../plan/planRule';

function rowsOut(node: PlanNode): number {
  return node.actual === undefined ? node.planRows : node.actual.rows * node.actual.loops;
}

function rowsPerLoop(node: PlanNode): number {
  return node.actual === undefined ? node.planRows : node.actual.rows;
}

export const nestedLoopHuge: PlanRule = {
  id: 'plan-nested-loop-huge',
  category: 'performance',
  severity: 'warning',
  description: 'A nested loop whose outer rows × inner rows per loop reach 1,000,000 or more (measured with ANALYZE, else estimated).',
  suggestion:
    'Give the join an equality condition PostgreSQL can hash or merge on, index the inner side\'s join column, or filter the outer side first; check for a missing join condition.',
  check(node, options): PlanRuleHit[] {
    if (node.nodeType !== 'Nested Loop' || node.children.length < 2) return [];
    const [outer, inner] = node.children;
    const combinations = rowsOut(outer) * rowsPerLoop(inner);
    if (combinations < options.nestedLoopRows) return [];
    const how = node.actual === undefined ? 'estimated' : 'measured';
    return [
      {
        severity: 'warning',
        message: `Nested Loop runs ${describeNode(inner)} for each of ${formatCount(Math.round(rowsOut(outer)))} outer rows: ${formatCount(Math.round(combinations))} row combinations (${how})`,
      },
    ];
  },
};
