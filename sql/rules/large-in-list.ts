import type { Rule, RuleHit } from '../rule';
import { list, str, withoutCasts } from '../parse/nodeReaders';
import { asNode, nodesOfType } from '../parse/parseTree';
import { operandValue } from '../parse/valueReaders';
import { formatCount, hitAt, operandLabel } from '../ruleWording';

/** Values written inline in an IN list or ARRAY[…] from which the rule fires. */
export const LARGE_INLINE_LIST = 100;
/** Elements of a bound array (`= ANY($1)`) from which the rule fires. */
export const LARGE_BOUND_ARRAY = 1_000;

export const rule: Rule = {
  id: 'large-in-list',
  category: 'performance',
  severity: 'warning',
  description: `An IN list or ARRAY[…] of more than ${LARGE_INLINE_LIST} values written in the text, or an array parameter bound to more than ${formatCount(LARGE_BOUND_ARRAY)} elements: long to parse and plan, and (inline) one statement text per list length.`,
  suggestion: 'Pass the values as one array parameter (`col = ANY($1)`); for thousands of values, load them into a temporary table or join `unnest($1)` so the planner can hash-join.',
  usesValues: true,
  check: ({ stmt, values }) =>
    nodesOfType(stmt, 'A_Expr').flatMap(({ fields }): RuleHit[] => {
      const kind = str(fields, 'kind');
      if (kind !== 'AEXPR_IN' && kind !== 'AEXPR_OP_ANY' && kind !== 'AEXPR_OP_ALL') return [];
      const subject = operandLabel(fields['lexpr']);
      const right = withoutCasts(fields['rexpr']);
      const inline = asNode(right, 'List') ?? asNode(right, 'A_ArrayExpr');
      const inlineCount = inline === undefined ? 0 : list(inline, 'items').length + list(inline, 'elements').length;
      if (inlineCount > LARGE_INLINE_LIST) return [hitAt(`list of ${formatCount(inlineCount)} items written inline for ${subject}`, fields)];
      const bound = operandValue(right, values);
      const boundCount = bound?.origin === 'bound' && Array.isArray(bound.value) ? bound.value.length : 0;
      if (bound?.origin === 'bound' && boundCount > LARGE_BOUND_ARRAY) {
        return [hitAt(`array of ${formatCount(boundCount)} elements bound to $${bound.param} for ${subject}`, fields)];
      }
      return [];
    }),
};
