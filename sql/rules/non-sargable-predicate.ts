import type { Rule, RuleHit } from '../rule';
import { callsAggregate } from '../parse/aggregateFunctions';
import { columnRefParts, columnRefs, columnTypeName, functionName, isComparison, operatorName, str } from '../parse/nodeReaders';
import { asNode, nodesOfType, unwrapNode, type Fields } from '../parse/parseTree';
import { predicateClause } from '../parse/queryContext';
import { clauseLabel, hitAt } from '../ruleWording';

// Every operator that computes a new value from its operands: arithmetic,
// exponent, bitwise, shifts, concatenation, and the prefix ones (bitwise not,
// absolute value, square and cube root; infix `~` is a regular expression
// match). Comparisons, JSON, containment and text-search operators are not
// here: indexes (btree, GIN, GiST) can serve those.
const ARITHMETIC_OPERATORS = new Set(['+', '-', '*', '/', '%', '^', '||', '&', '|', '#', '<<', '>>']);
const PREFIX_ARITHMETIC_OPERATORS = new Set(['~', '@', '|/', '||/']);

function isArithmetic(aExpr: Fields): boolean {
  if (str(aExpr, 'kind') !== 'AEXPR_OP') return false;
  const operator = operatorName(aExpr);
  return ARITHMETIC_OPERATORS.has(operator) || (aExpr['lexpr'] === undefined && PREFIX_ARITHMETIC_OPERATORS.has(operator));
}

/**
 * What hides the column from an index, when the operand is a column wrapped
 * in a function, a cast or arithmetic; undefined for a bare column or a
 * column-free value. JSON operators (`->>`) are left alone: they are usually
 * served by expression or GIN indexes.
 */
function wrapperOf(operand: unknown): string | undefined {
  const node = unwrapNode(operand);
  if (node === undefined) return undefined;
  const [type, fields] = node;
  if (type === 'FuncCall') return `function ${functionName(fields)}()`;
  if (type === 'CoalesceExpr') return 'coalesce()';
  if (type === 'TypeCast') {
    return `a cast to ${columnTypeName(fields) || 'another type'}`;
  }
  if (type === 'A_Expr' && isArithmetic(fields)) {
    return `arithmetic (${operatorName(fields)})`;
  }
  return undefined;
}

export const rule: Rule = {
  id: 'non-sargable-predicate',
  category: 'performance',
  severity: 'warning',
  description: 'A WHERE, JOIN … ON or HAVING comparison that wraps a column in a function, a cast or any arithmetic operator (+ - * / % ^, bitwise, ||), so a plain index on the column cannot be used. Aggregates in HAVING (sum(amount) > 100) are not flagged.',
  suggestion: 'Leave the column bare and move the work to the other side (`created_at > now() - interval \'1 day\'`, a range instead of date(col)), or create an expression index that matches the expression exactly.',
  check: ({ stmt }) =>
    nodesOfType(stmt, 'A_Expr').flatMap((visit): RuleHit[] => {
      const clause = predicateClause(visit);
      if (clause === undefined || !isComparison(visit.fields)) return [];
      const sides = [visit.fields['lexpr'], visit.fields['rexpr']];
      return sides.flatMap((side, index): RuleHit[] => {
        const wrapper = wrapperOf(side);
        const columns = columnRefs(side);
        const other = sides[1 - index];
        if (wrapper === undefined || columns.length === 0 || columnRefs(other).length > 0) return [];
        // HAVING sum(amount) > 100 filters groups: no index could serve an aggregate.
        if (clause === 'havingClause' && callsAggregate(side)) return [];
        const column = columnRefParts(columns[0]).join('.');
        // A function call points at its name; a cast or arithmetic at the column it hides.
        const at = asNode(side, 'FuncCall') ?? columns[0];
        return [hitAt(`${wrapper} applied to column "${column}" in ${clauseLabel(clause)} hides it from a plain index`, at)];
      });
    }),
};
