import type { Rule } from '../rule';
import { statementsWithoutWhere } from '../parse/writeStatements';

export const rule: Rule = {
  id: 'delete-without-where',
  category: 'correctness',
  severity: 'error',
  description: 'DELETE without a WHERE clause: every row of the table is removed.',
  suggestion: 'Add the WHERE clause that selects the rows to remove; to empty a table on purpose, use a reviewed TRUNCATE in a migration.',
  check: ({ stmt }) =>
    statementsWithoutWhere(stmt, 'DeleteStmt').map(({ table, hit }) => hit(`DELETE from "${table}" has no WHERE clause: it removes every row`)),
};
