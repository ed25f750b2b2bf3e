import type { Rule, RuleHit } from '../rule';
import { child, fromTables, hitAt, list, nodesOfType, quotedList, str } from '../parseTree';

export const rule: Rule = {
  id: 'union-not-all',
  category: 'performance',
  severity: 'info',
  description: 'UNION without ALL: both inputs are sorted or hashed to remove duplicates, often where none can occur.',
  suggestion: 'Write UNION ALL when the branches cannot overlap or duplicates are acceptable; keep UNION only where removing duplicates is the point (the parser cannot tell UNION DISTINCT from UNION, so that stays flagged).',
  check: ({ stmt }) =>
    nodesOfType(stmt, 'SelectStmt')
      .filter(({ fields }) => str(fields, 'op') === 'SETOP_UNION' && fields['all'] !== true)
      .map(({ fields }): RuleHit => {
        const arms = [child(fields, 'larg'), child(fields, 'rarg')].flatMap((arm) => (arm === undefined ? [] : fromTables(list(arm, 'fromClause'))));
        const tables = quotedList(arms.map((from) => from.table));
        return hitAt(`UNION without ALL removes duplicates across ${tables === '' ? 'its branches' : tables}`, fields);
      }),
};
