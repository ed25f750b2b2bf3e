import type { Rule, RuleHit } from '../rule';
import type { Fields, Visit } from '../parse/parseTree';
import type { ConstValue } from '../parse/valueReaders';
import { operatorName, str, withoutCasts } from '../parse/nodeReaders';
import { ancestors, asNode, nodesOfType } from '../parse/parseTree';
import { predicateClause } from '../parse/queryContext';
import { constValue } from '../parse/valueReaders';
import { clauseLabel, hitAt } from '../ruleWording';

function literal(node: unknown): ConstValue | undefined {
  const aConst = asNode(withoutCasts(node), 'A_Const');
  return aConst === undefined ? undefined : constValue(aConst);
}

/** Whether comparing two literals is true whatever the row; only numbers with numbers and strings with strings. */
function alwaysTrue(operator: string, left: ConstValue, right: ConstValue): boolean {
  if (left.kind === 'number' && right.kind === 'number') {
    const [a, b] = [left.value, right.value];
    const results: Readonly<Record<string, boolean>> = { '=': a === b, '<>': a !== b, '!=': a !== b, '<': a < b, '>': a > b, '<=': a <= b, '>=': a >= b };
    return results[operator] === true;
  }
  if (left.kind === 'string' && right.kind === 'string') {
    return operator === '=' ? left.value === right.value : (operator === '<>' || operator === '!=') && left.value !== right.value;
  }
  return false;
}

function isOr(visit: Visit): boolean {
  return visit.type === 'BoolExpr' && str(visit.fields, 'boolop') === 'OR_EXPR';
}

function describe(visit: Visit, what: string, clause: string): RuleHit {
  const underOr = [...ancestors(visit)].some(isOr);
  const effect = underOr ? 'inside OR, which makes the whole condition true' : 'that is always true';
  return hitAt(`${clauseLabel(clause)} has ${what} ${effect}`, visit.fields);
}

function constantComparison(fields: Fields): boolean {
  const [left, right] = [literal(fields['lexpr']), literal(fields['rexpr'])];
  return str(fields, 'kind') === 'AEXPR_OP' && left !== undefined && right !== undefined && alwaysTrue(operatorName(fields), left, right);
}

export const rule: Rule = {
  id: 'tautology-predicate',
  category: 'security',
  severity: 'warning',
  description: 'A condition that is always true in WHERE, JOIN … ON or HAVING: a comparison of two equal constants (1=1, \'a\'=\'a\') or OR TRUE. Under OR it disables the whole filter: the shape of an injection probe.',
  suggestion: 'Remove it; if a query builder adds `1=1` to join conditions with AND, build the list of conditions instead. Under OR, check how the statement text was built.',
  check: ({ stmt }) =>
    nodesOfType(stmt, 'A_Expr')
      .concat(nodesOfType(stmt, 'A_Const'))
      .flatMap((visit): RuleHit[] => {
        const clause = predicateClause(visit);
        if (clause === undefined) return [];
        if (visit.type === 'A_Expr') return constantComparison(visit.fields) ? [describe(visit, 'a comparison of two constants', clause)] : [];
        const value = constValue(visit.fields);
        const isOrTrue = value.kind === 'boolean' && value.value && visit.parent !== undefined && isOr(visit.parent);
        return isOrTrue ? [describe(visit, 'a TRUE term', clause)] : [];
      }),
};
