import type { Rule, RuleHit } from '../rule';
import type { Fields, Visit } from '../parse/parseTree';
import { columnEquality, columnRefParts, list, str } from '../parse/nodeReaders';
import { asNode, nodesOfType } from '../parse/parseTree';
import { hitAt } from '../ruleWording';

/** OR-ed equality tests on one column from which an IN list or `= ANY` is suggested. */
export const OR_CHAIN_LENGTH = 3;

function isOr(node: unknown): Fields | undefined {
  const bool = asNode(node, 'BoolExpr');
  return bool !== undefined && str(bool, 'boolop') === 'OR_EXPR' ? bool : undefined;
}

function isOrVisit(visit: Visit | undefined): boolean {
  return visit !== undefined && visit.type === 'BoolExpr' && str(visit.fields, 'boolop') === 'OR_EXPR';
}

/** The terms of an OR, with nested ORs (from parentheses) flattened. */
function orTerms(or: Fields): readonly unknown[] {
  return list(or, 'args').flatMap((arg) => {
    const nested = isOr(arg);
    return nested === undefined ? [arg] : orTerms(nested);
  });
}

export const rule: Rule = {
  id: 'or-chain-same-column',
  category: 'performance',
  severity: 'info',
  description: `${OR_CHAIN_LENGTH} or more OR-ed equality tests on the same column (a = 1 OR a = 2 OR a = 3): longer to plan, one fingerprint per chain length, and easy to get wrong next to AND.`,
  suggestion: 'Write `col IN (…)`, or better `col = ANY($1)` with one array parameter, which keeps one fingerprint whatever the number of values.',
  check: ({ stmt }) =>
    nodesOfType(stmt, 'BoolExpr')
      .filter((visit) => isOrVisit(visit) && !isOrVisit(visit.parent))
      .flatMap(({ fields }): RuleHit[] => {
        const counts = new Map<string, number>();
        for (const term of orTerms(fields)) {
          const equality = columnEquality(term);
          const column = equality === undefined ? undefined : columnRefParts(equality.column).join('.');
          if (column !== undefined) counts.set(column, (counts.get(column) ?? 0) + 1);
        }
        return [...counts]
          .filter(([, count]) => count >= OR_CHAIN_LENGTH)
          .map(([column, count]) => hitAt(`${count} OR-ed equality tests on column "${column}"`, fields));
      }),
};
