import type { Rule, RuleHit } from '../rule';
import { functionName, list } from '../parse/nodeReaders';
import { asNode, nodesOfType } from '../parse/parseTree';
import { fromListLabel, hitAt } from '../ruleWording';

export const rule: Rule = {
  id: 'order-by-random',
  category: 'performance',
  severity: 'warning',
  description: 'ORDER BY random(): every row is read, given a random key and sorted, to return a few. random() in the select list is fine.',
  suggestion: 'Sample instead: `TABLESAMPLE SYSTEM (1)` or `TABLESAMPLE BERNOULLI`, or pick random ids in the application (or from a key range) and fetch those rows by key.',
  check: ({ stmt }) =>
    nodesOfType(stmt, 'SelectStmt').flatMap(({ fields }): RuleHit[] => {
      const randomKey = list(fields, 'sortClause')
        .map((sort) => asNode(asNode(sort, 'SortBy')?.['node'], 'FuncCall'))
        .find((call) => call !== undefined && functionName(call) === 'random');
      if (randomKey === undefined) return [];
      return [hitAt(`ORDER BY random() sorts every row of ${fromListLabel(list(fields, 'fromClause'), 'its FROM list')} to pick a few`, randomKey)];
    }),
};
