import type { Rule, RuleHit } from '../rule';
import { list, tableName } from '../parse/nodeReaders';
import { child, nodesOfType } from '../parse/parseTree';
import { hitAt } from '../ruleWording';

export const rule: Rule = {
  id: 'insert-without-columns',
  category: 'correctness',
  severity: 'warning',
  description: 'INSERT without a column list: the values are matched to columns by position, so adding, dropping or reordering a column silently shifts them. `INSERT … DEFAULT VALUES` is fine.',
  suggestion: 'List the target columns: `INSERT INTO t (a, b) VALUES ($1, $2)`.',
  check: ({ stmt }) =>
    nodesOfType(stmt, 'InsertStmt')
      .filter(({ fields }) => list(fields, 'cols').length === 0 && fields['selectStmt'] !== undefined)
      .map(({ fields }): RuleHit => {
        const relation = child(fields, 'relation') ?? {};
        return hitAt(`INSERT INTO "${tableName(relation)}" has no column list and depends on the column order`, relation);
      }),
};
