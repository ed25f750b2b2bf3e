import type { Rule, RuleHit } from '../rule';
import type { Fields } from '../parse/parseTree';
import { list, str } from '../parse/nodeReaders';
import { asNode, fieldsOf, nodesOfType } from '../parse/parseTree';
import { subLinkKind } from '../parse/queryContext';
import { constValue, numericValue, operandValue } from '../parse/valueReaders';
import { fromListLabel, hitAt } from '../ruleWording';

function skipsLocked(select: Fields): boolean {
  return list(select, 'lockingClause').some((clause) => str(asNode(clause, 'LockingClause') ?? {}, 'waitPolicy') === 'LockWaitSkip');
}

export const rule: Rule = {
  id: 'limit-without-order',
  category: 'correctness',
  severity: 'info',
  description: 'LIMIT (or FETCH FIRST) without ORDER BY: which rows come back is unspecified and can change with the plan. Not flagged inside EXISTS, in IN (subquery) batches, with FOR UPDATE SKIP LOCKED (job queues), for LIMIT 1 in a scalar subquery (an "any matching row" probe), or without a FROM clause.',
  suggestion: 'Add an ORDER BY that makes the result deterministic (end it with a unique key), or drop the LIMIT when any row will do and at most one can match.',
  check: ({ stmt }) =>
    nodesOfType(stmt, 'SelectStmt').flatMap((select): RuleHit[] => {
      const { fields } = select;
      const limit = fields['limitCount'];
      const limitConst = asNode(limit, 'A_Const');
      const isLimitAll = limitConst !== undefined && constValue(limitConst).kind === 'null';
      const fromClause = list(fields, 'fromClause');
      if (limit === undefined || isLimitAll || fromClause.length === 0 || list(fields, 'sortClause').length > 0) return [];
      const kind = subLinkKind(select);
      // EXISTS ignores the rows; IN (SELECT … LIMIT n) and FOR UPDATE SKIP LOCKED take "any n rows" on purpose (batches, job queues).
      if (kind === 'EXISTS_SUBLINK' || kind === 'ANY_SUBLINK' || skipsLocked(fields)) return [];
      if (kind === 'EXPR_SUBLINK' && numericValue(operandValue(limit, undefined)) === 1) return [];
      return [hitAt(`LIMIT without ORDER BY on ${fromListLabel(fromClause, 'a subquery')}: which rows come back is unspecified`, fieldsOf(limit) ?? fields)];
    }),
};
