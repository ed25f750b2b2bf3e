import type { Rule, RuleHit } from '../rule';
import { list, str } from '../parse/nodeReaders';
import { child, nodesOfType } from '../parse/parseTree';
import { fromListLabel, hitAt } from '../ruleWording';

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
        const armsFrom = [child(fields, 'larg'), child(fields, 'rarg')].flatMap((arm) => (arm === undefined ? [] : list(arm, 'fromClause')));
        return hitAt(`UNION without ALL removes duplicates across ${fromListLabel(armsFrom, 'its branches')}`, fields);
      }),
};
