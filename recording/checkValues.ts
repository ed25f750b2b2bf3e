/**
 * Value-dependent rules on one execution's bound parameters: `LIKE $1` bound
 * to `'%foo'`, `OFFSET $2` bound to 50000. Runs on the parse tree kept when
 * the text was analysed; values are read in memory and never stored.
 */
import { guarded } from '../core/agentErrors';
import type { StatementAnalysis, StaticFinding } from '../core/statementAnalysis';
import { toFindings } from '../sql/analyzeStatement';
import { runRules } from '../sql/ruleEngine';
import { unsuppressed } from '../sql/suppression/suppressions';
import { valueRuleTrees } from './valueRuleTrees';

/**
 * Findings that these values add to `analysis.findings` (the static ones are
 * not repeated). Empty when the statement has no value rules, or when its
 * tree was evicted from the bounded tree store (see `valueRuleTrees`).
 */
export function checkValues(analysis: StatementAnalysis, values: readonly unknown[]): StaticFinding[] {
  if (!analysis.hasValueRules) return [];
  return guarded(
    'sql-value-rules',
    () => {
      const tree = valueRuleTrees.get(analysis);
      if (tree === undefined) return [];
      return toFindings(unsuppressed(runRules(tree.statements, tree.rules, values, tree.source), tree.suppressions), analysis.findings);
    },
    [],
  );
}
