import type { Rule, RuleHit } from '../rule';
import type { Visit } from '../parse/parseTree';
import { columnQualifier, fromTables, list, referenceName } from '../parse/nodeReaders';
import { nodesOfType, walk } from '../parse/parseTree';
import { hitAt } from '../ruleWording';

/** The SELECT whose select list holds this node directly (not through another query level). */
function selectListOwner(visit: Visit): Visit | undefined {
  for (let node: Visit = visit; node.parent !== undefined; node = node.parent) {
    if (node.parent.type === 'SelectStmt') return node.field === 'targetList' ? node.parent : undefined;
  }
  return undefined;
}

export const rule: Rule = {
  id: 'correlated-subquery-in-select',
  category: 'performance',
  severity: 'warning',
  description: 'A subquery in the select list that refers to a table of the outer query (by a qualified column): it runs once per outer row, an N+1 inside one statement. Correlation through unqualified columns cannot be told without the schema and is not flagged.',
  suggestion: 'Join the data instead: a LEFT JOIN to a grouped subquery, or `LEFT JOIN LATERAL (…) ON true`, computed once for all rows.',
  check: ({ stmt }) =>
    nodesOfType(stmt, 'SubLink').flatMap((subLink): RuleHit[] => {
      const outer = selectListOwner(subLink);
      if (outer === undefined) return [];
      const outerNames = new Set(fromTables(list(outer.fields, 'fromClause')).map((table) => table.reference));
      const inner = walk(subLink.fields['subselect']);
      const innerNames = new Set(inner.filter((visit) => visit.type === 'RangeVar').map((visit) => referenceName(visit.fields)));
      const correlated = inner
        .filter((visit) => visit.type === 'ColumnRef')
        .map((visit) => columnQualifier(visit.fields))
        .find((qualifier) => qualifier !== undefined && outerNames.has(qualifier) && !innerNames.has(qualifier));
      return correlated === undefined ? [] : [hitAt(`subquery in the select list refers to "${correlated}" of the outer query, so it runs once per row`, subLink.fields)];
    }),
};
