/**
 * A scanned table whose planner statistics are missing or far out of date:
 * never analyzed (`reltuples = -1`, as after a bulk load with autovacuum off
 * or not yet run), or with more rows written since the last ANALYZE than
 * half of those it counted. Every estimate built on them (row counts,
 * selectivities, join order) is a guess; the fix is one ANALYZE.
 */
import { formatCount } from '../ruleWording';
import { quoteQualified } from '../advice/indexCandidate';
import type { RelationStatistics, PlanRule, PlanRuleHit, PlanRuleOptions } from '../plan/planRule';

/**
 * The table's size as plan rules should take it: `reltuples` when its
 * statistics can be trusted, else the live row count (`n_live_tup`, kept
 * as rows are written).
 */
export function relationSize(stats: RelationStatistics, staleFraction: number): number {
  return statisticsTrusted(stats, staleFraction) ? stats.estimatedRows : Math.max(stats.liveRows, stats.estimatedRows);
}

function statisticsTrusted(stats: RelationStatistics, staleFraction: number): boolean {
  return stats.estimatedRows >= 0 && stats.analyzed && stats.modifiedSinceAnalyze < staleFraction * Math.max(stats.estimatedRows, 1);
}

const SCANS = new Set(['Seq Scan', 'Index Scan', 'Index Only Scan', 'Bitmap Heap Scan', 'Tid Scan', 'Sample Scan']);

function staleness(stats: RelationStatistics, options: PlanRuleOptions): string | undefined {
  if (statisticsTrusted(stats, options.staleStatisticsFraction)) return undefined;
  if (stats.estimatedRows < 0 || !stats.analyzed) {
    return `has never been analyzed (pg_class.reltuples = ${formatCount(Math.round(stats.estimatedRows))}, ${formatCount(stats.liveRows)} live rows)`;
  }
  return `has ${formatCount(stats.modifiedSinceAnalyze)} rows written since its last ANALYZE, which counted ${formatCount(Math.round(stats.estimatedRows))}`;
}

export const staleStatistics: PlanRule = {
  id: 'plan-stale-statistics',
  category: 'performance',
  severity: 'warning',
  description: 'A table the plan scans has no planner statistics (never analyzed: pg_class.reltuples = -1) or more rows written since its last ANALYZE than half the rows that ANALYZE counted; only tables of 10,000 rows or more.',
  suggestion: 'Run ANALYZE on the table (the message names it), and check that autovacuum runs for it (autovacuum_analyze_scale_factor, or a per-table setting after bulk loads).',
  check(node, options): PlanRuleHit[] {
    if (!SCANS.has(node.nodeType) || node.relation === undefined) return [];
    const stats = options.relationStatistics(node.relation);
    if (stats === undefined || Math.max(stats.liveRows, stats.estimatedRows) < options.bigRelationRows) return [];
    const why = staleness(stats, options);
    if (why === undefined) return [];
    return [{ severity: 'warning', message: `"${node.relation}" ${why}: run ANALYZE ${quoteQualified(node.relation)};` }];
  },
};
