/**
 * A sort that does not fit in work_mem: measured (`Sort Method: external
 * merge`, `Sort Space Type: Disk`) or, without ANALYZE, estimated from rows ×
 * width.
 */
import { formatCount } from '../ruleWording';
import type { PlanRule, PlanRuleHit } from '../plan/planRule';

export const sortSpill: PlanRule = {
  id: 'plan-sort-spill',
  category: 'performance',
  severity: 'warning',
  description: 'A sort that does not fit in work_mem and spills to disk (measured with ANALYZE; info when only estimated from rows × width).',
  suggestion:
    'Sort fewer rows (filter first, or LIMIT with an index that provides the order), or raise work_mem for this query (SET LOCAL work_mem) so the sort stays in memory.',
  check(node, options): PlanRuleHit[] {
    if (node.nodeType !== 'Sort' && node.nodeType !== 'Incremental Sort') return [];
    if (node.actual !== undefined) {
      const spilled = node.sortSpaceType === 'Disk' || node.sortMethod?.startsWith('external') === true;
      if (!spilled) return [];
      const used = node.sortSpaceUsedKb === undefined ? '' : `, ${formatCount(node.sortSpaceUsedKb)} kB`;
      return [{ severity: 'warning', message: `Sort spilled to disk (${node.sortMethod ?? 'external'}${used})` }];
    }
    const bytes = node.planRows * node.planWidth;
    if (bytes <= options.workMemBytes) return [];
    return [
      {
        severity: 'info',
        message: `Sort of about ${formatCount(Math.round(node.planRows))} rows × ${node.planWidth} bytes (${formatCount(Math.round(bytes / 1024))} kB) is estimated to exceed work_mem (${formatCount(Math.round(options.workMemBytes / 1024))} kB) and spill to disk`,
      },
    ];
  },
};
