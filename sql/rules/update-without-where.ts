import type { Rule } from '../rule';
import { statementsWithoutWhere } from '../parse/writeStatements';

export const rule: Rule = {
  id: 'update-without-where',
  category: 'correctness',
  severity: 'error',
  description: 'UPDATE without a WHERE clause: every row of the table is changed.',
  suggestion: 'Add the WHERE clause that selects the rows to change; when every row is meant, say so with a reviewed migration rather than application code.',
  check: ({ stmt }) =>
    statementsWithoutWhere(stmt, 'UpdateStmt').map(({ table, hit }) => hit(`UPDATE of "${table}" has no WHERE clause: it changes every row`)),
};
