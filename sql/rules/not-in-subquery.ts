import type { Rule, RuleHit } from '../rule';
import type { Fields, Visit } from '../parse/parseTree';
import { list, names, str } from '../parse/nodeReaders';
import { asNode, nodesOfType } from '../parse/parseTree';
import { hitAt, operandLabel } from '../ruleWording';

/** `x NOT IN (SELECT …)` parses as NOT over `x = ANY (SELECT …)`; `x <> ALL (SELECT …)` means the same. */
function negatedMembership(visit: Visit): Fields | undefined {
  if (visit.type === 'SubLink') {
    const operator = names(list(visit.fields, 'operName')).join('.');
    return str(visit.fields, 'subLinkType') === 'ALL_SUBLINK' && (operator === '<>' || operator === '!=') ? visit.fields : undefined;
  }
  if (visit.type !== 'BoolExpr' || str(visit.fields, 'boolop') !== 'NOT_EXPR') return undefined;
  const subLink = asNode(list(visit.fields, 'args')[0], 'SubLink');
  const isIn = subLink !== undefined && str(subLink, 'subLinkType') === 'ANY_SUBLINK' && list(subLink, 'operName').length === 0;
  return isIn ? subLink : undefined;
}

export const rule: Rule = {
  id: 'not-in-subquery',
  category: 'correctness',
  severity: 'warning',
  description: 'NOT IN (subquery) or <> ALL (subquery): one NULL returned by the subquery makes the condition match no row, and the planner cannot turn it into an anti-join. NOT IN with a list of values is fine.',
  suggestion: 'Write `NOT EXISTS (SELECT 1 FROM … WHERE inner.col = outer.col)`: NULL-safe, and planned as an anti-join.',
  check: ({ stmt }) =>
    nodesOfType(stmt, 'BoolExpr')
      .concat(nodesOfType(stmt, 'SubLink'))
      .flatMap((visit): RuleHit[] => {
        const subLink = negatedMembership(visit);
        return subLink === undefined ? [] : [hitAt(`NOT IN (subquery) on ${operandLabel(subLink['testexpr'])}: a single NULL from the subquery makes it match nothing`, subLink)];
      }),
};
