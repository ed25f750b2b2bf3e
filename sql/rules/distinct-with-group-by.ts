import type { Rule, RuleHit } from '../rule';
import { columnName, list } from '../parse/nodeReaders';
import { asNode, nodesOfType } from '../parse/parseTree';
import { fromListLabel, hitAt } from '../ruleWording';

/** The column names of plain column items in a list (select list values or GROUP BY items). */
function plainColumns(items: readonly unknown[]): readonly (string | undefined)[] {
  return items.map((item) => {
    const columnRef = asNode(asNode(item, 'ResTarget')?.['val'] ?? item, 'ColumnRef');
    return columnRef === undefined ? undefined : columnName(columnRef);
  });
}

export const rule: Rule = {
  id: 'distinct-with-group-by',
  category: 'performance',
  severity: 'info',
  description: 'SELECT DISTINCT over a GROUP BY whose columns are all in the select list: the groups are already distinct, so DISTINCT only adds a sort or hash. DISTINCT ON, and DISTINCT over aggregates only, are left alone.',
  suggestion: 'Drop DISTINCT; GROUP BY already returns one row per group.',
  check: ({ stmt }) =>
    nodesOfType(stmt, 'SelectStmt').flatMap(({ fields }): RuleHit[] => {
      const distinct = list(fields, 'distinctClause');
      // Plain DISTINCT is a list of one empty node; DISTINCT ON lists its expressions.
      const isPlainDistinct = distinct.length > 0 && distinct.every((item) => typeof item === 'object' && item !== null && Object.keys(item).length === 0);
      const groupColumns = plainColumns(list(fields, 'groupClause'));
      if (!isPlainDistinct || groupColumns.length === 0) return [];
      const selected = new Set(plainColumns(list(fields, 'targetList')));
      if (!groupColumns.every((column) => column !== undefined && selected.has(column))) return [];
      return [hitAt(`SELECT DISTINCT repeats the GROUP BY on ${fromListLabel(list(fields, 'fromClause'), 'its FROM list')}: the groups are already distinct`, fields)];
    }),
};
