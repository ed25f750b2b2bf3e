/**
 * A hash table that does not fit in hash memory (work_mem ×
 * hash_mem_multiplier): measured (`Hash Batches` > 1) or, without ANALYZE,
 * estimated from rows × (width + per-entry overhead).
 */
import { formatCount } from '../ruleWording';
import type { PlanRule, PlanRuleHit } from '../plan/planRule';

/** Bytes a hash table entry costs beyond the row itself (tuple header and bucket pointer), roughly. */
const HASH_ENTRY_OVERHEAD_BYTES = 32;

export const hashSpill: PlanRule = {
  id: 'plan-hash-spill',
  category: 'performance',
  severity: 'warning',
  description: 'A hash table (hash join, hash aggregate) that does not fit in work_mem × hash_mem_multiplier: it spills to disk in batches (measured with ANALYZE; info when only estimated).',
  suggestion:
    'Hash the smaller input (filter it first, or refresh statistics so the planner picks the right side), or raise work_mem for this query so the hash fits in one batch.',
  check(node, options): PlanRuleHit[] {
    if (node.nodeType !== 'Hash') return [];
    if (node.actual !== undefined) {
      const batches = node.hashBatches ?? 1;
      return batches > 1 ? [{ severity: 'warning', message: `Hash spilled to disk in ${formatCount(batches)} batches` }] : [];
    }
    const bytes = node.planRows * (node.planWidth + HASH_ENTRY_OVERHEAD_BYTES);
    const budget = options.workMemBytes * options.hashMemMultiplier;
    if (bytes <= budget) return [];
    return [
      {
        severity: 'info',
        message: `Hash of about ${formatCount(Math.round(node.planRows))} rows (${formatCount(Math.round(bytes / 1024))} kB) is estimated to exceed hash memory (${formatCount(Math.round(budget / 1024))} kB) and spill to disk`,
      },
    ];
  },
};
