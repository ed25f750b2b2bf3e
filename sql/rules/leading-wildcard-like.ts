import type { Rule, RuleHit } from '../rule';
import { functionName, list, operatorName } from '../parse/nodeReaders';
import { asNode, nodesOfType } from '../parse/parseTree';
import { operandValue, stringValue } from '../parse/valueReaders';
import { hitAt, operandLabel, operandOrigin } from '../ruleWording';

// Positive pattern matches only: NOT LIKE cannot use a btree index whatever the pattern.
const PATTERN_OPERATORS: Readonly<Record<string, string>> = { '~~': 'LIKE', '~~*': 'ILIKE' };

/** The leftmost piece of a pattern built by concatenation: `'%' || $1` → `'%'`, `concat($1, '%')` → `$1`. */
function patternStart(pattern: unknown): unknown {
  const concat = asNode(pattern, 'A_Expr');
  if (concat !== undefined && operatorName(concat) === '||') return patternStart(concat['lexpr']);
  const call = asNode(pattern, 'FuncCall');
  if (call !== undefined && functionName(call) === 'concat') return patternStart(list(call, 'args')[0]);
  return pattern;
}

export const rule: Rule = {
  id: 'leading-wildcard-like',
  category: 'performance',
  severity: 'warning',
  description: 'LIKE or ILIKE with a pattern that starts with % or _, written in the text or bound as a parameter: no btree index can serve it.',
  suggestion: 'Anchor the pattern at the start (`col LIKE $1 || \'%\'`), or index the column for substring search: a pg_trgm GIN index, or full-text search.',
  usesValues: true,
  check: ({ stmt, values }) =>
    nodesOfType(stmt, 'A_Expr').flatMap(({ fields }): RuleHit[] => {
      const operator = PATTERN_OPERATORS[operatorName(fields)];
      if (operator === undefined) return [];
      const start = operandValue(patternStart(fields['rexpr']), values);
      const text = stringValue(start);
      if (start === undefined || text === undefined || !/^[%_]/.test(text)) return [];
      return [hitAt(`${operator} on ${operandLabel(fields['lexpr'])} has a pattern that starts with a wildcard (${operandOrigin(start)})`, fields)];
    }),
};
