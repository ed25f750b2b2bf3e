/**
 * A sequential scan of a big relation whose filter throws most rows away:
 * the classic missing index. How many rows the scan read comes from the
 * plan's ANALYZE figures when it has them (rows returned + rows removed),
 * else from the relation's estimated size (an unfiltered scan of it in the
 * same plan, or `options.relationRows`).
 */
import { formatCount } from '../ruleWording';
import type { PlanNode } from '../plan/planNode';
import { describeNode, estimatedTotalRows } from '../plan/planNode';
import type { PlanRule, PlanRuleHit, PlanRuleOptions } from '../plan/planRule';

interface ScanFigures {
  readonly read: number;
  readonly kept: number;
  readonly measured: boolean;
}

function scanFigures(node: PlanNode, options: PlanRuleOptions): ScanFigures | undefined {
  if (node.actual !== undefined && node.rowsRemovedByFilter !== undefined) {
    return { read: node.actual.rows + node.rowsRemovedByFilter, kept: node.actual.rows, measured: true };
  }
  const relationRows = node.relation === undefined ? undefined : options.relationRows(node.relation);
  return relationRows === undefined ? undefined : { read: relationRows, kept: Math.min(estimatedTotalRows(node), relationRows), measured: false };
}

export const seqScanFilter: PlanRule = {
  id: 'plan-seq-scan-filter',
  category: 'performance',
  severity: 'warning',
  description: 'A sequential scan of a relation of 10,000 rows or more whose filter removes more than half the rows it reads (error above 90%): the classic missing index.',
  suggestion:
    'Add an index that matches the filter (or rewrite a non-sargable predicate so an existing index applies), so PostgreSQL reads only the matching rows.',
  check(node, options): PlanRuleHit[] {
    if (node.nodeType !== 'Seq Scan' || !node.hasFilter) return [];
    const figures = scanFigures(node, options);
    if (figures === undefined || figures.read < options.bigRelationRows) return [];
    const removed = 1 - figures.kept / figures.read;
    if (removed <= options.removedWarn) return [];
    const how = figures.measured ? 'measured' : 'estimated';
    return [
      {
        severity: removed > options.removedSevere ? 'error' : 'warning',
        message: `${describeNode(node)} reads ${formatCount(Math.round(figures.read))} rows and its filter removes ${Math.round(removed * 100)}% of them (${how})`,
      },
    ];
  },
};
