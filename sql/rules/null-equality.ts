import type { Rule, RuleHit } from '../rule';
import { operatorName, str, withoutCasts } from '../parse/nodeReaders';
import { asNode, nodesOfType } from '../parse/parseTree';
import { constValue } from '../parse/valueReaders';
import { hitAt, operandLabel } from '../ruleWording';

const EQUALITY_OPERATORS = new Set(['=', '<>', '!=']);

function isNullConst(node: unknown): boolean {
  const aConst = asNode(withoutCasts(node), 'A_Const');
  return aConst !== undefined && constValue(aConst).kind === 'null';
}

export const rule: Rule = {
  id: 'null-equality',
  category: 'correctness',
  severity: 'error',
  description: 'A comparison with = NULL or <> NULL: its result is NULL, never true, so the condition matches no row. (`SET col = NULL` is an assignment and is fine.)',
  suggestion: 'Write `col IS NULL` / `col IS NOT NULL`, or `col IS NOT DISTINCT FROM $1` to compare with a value that may be NULL.',
  check: ({ stmt }) =>
    nodesOfType(stmt, 'A_Expr').flatMap(({ fields }): RuleHit[] => {
      const operator = operatorName(fields);
      if (str(fields, 'kind') !== 'AEXPR_OP' || !EQUALITY_OPERATORS.has(operator)) return [];
      const [left, right] = [fields['lexpr'], fields['rexpr']];
      if (!isNullConst(left) && !isNullConst(right)) return [];
      const subject = isNullConst(left) ? right : left;
      return [hitAt(`${operandLabel(subject)} is compared with ${operator} NULL, which is never true`, fields)];
    }),
};
