import type { Rule, RuleHit } from '../rule';
import { withoutCasts } from '../parse/nodeReaders';
import { fieldsOf, nodesOfType } from '../parse/parseTree';
import { numericValue, operandValue } from '../parse/valueReaders';
import { formatCount, hitAt, operandOrigin } from '../ruleWording';

/** Rows skipped from which OFFSET paging is flagged: each page re-reads every row before it. */
export const LARGE_OFFSET = 10_000;

export const rule: Rule = {
  id: 'large-offset',
  category: 'performance',
  severity: 'warning',
  description: `OFFSET of ${formatCount(LARGE_OFFSET)} rows or more, written in the text or bound as a parameter: every skipped row is still produced and thrown away.`,
  suggestion: 'Page by key instead (keyset pagination): `WHERE (created_at, id) > ($1, $2) ORDER BY created_at, id LIMIT 50`, with an index on the sort key.',
  usesValues: true,
  check: ({ stmt, values }) =>
    nodesOfType(stmt, 'SelectStmt').flatMap(({ fields }): RuleHit[] => {
      const offset = operandValue(fields['limitOffset'], values);
      const rows = numericValue(offset);
      if (offset === undefined || rows === undefined || rows < LARGE_OFFSET) return [];
      return [hitAt(`OFFSET skips ${formatCount(LARGE_OFFSET)} rows or more (${operandOrigin(offset)})`, fieldsOf(withoutCasts(fields['limitOffset'])) ?? fields)];
    }),
};
