/** A bitmap heap scan whose bitmap outgrew work_mem and went lossy: whole pages are rechecked row by row (EXPLAIN ANALYZE only). */
import { formatCount } from '../ruleWording';
import { describeNode } from '../plan/planNode';
import type { PlanRule, PlanRuleHit } from '../plan/planRule';

export const lossyBitmap: PlanRule = {
  id: 'plan-lossy-bitmap',
  category: 'performance',
  severity: 'warning',
  description: 'A bitmap heap scan whose bitmap outgrew work_mem and went lossy: whole pages are rechecked row by row (EXPLAIN ANALYZE only).',
  suggestion: 'Raise work_mem for this query so the bitmap stays exact, or make the index condition more selective.',
  check(node): PlanRuleHit[] {
    const lossy = node.lossyHeapBlocks ?? 0;
    if (lossy <= 0) return [];
    return [{ severity: 'warning', message: `${describeNode(node)} went lossy on ${formatCount(lossy)} heap blocks: every row on them was rechecked` }];
  },
};
