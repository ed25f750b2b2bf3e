/**
 * Parse trees kept for value-dependent rules, so `checkValues` judges bound
 * parameters without parsing the text again. Trees cost about 6 KB each for
 * a typical statement, so only recent ones are kept: at most
 * `MAX_TREES` analyses and `MAX_TREE_TEXT` characters of statement text (a
 * proxy for tree size). Keyed by the analysis object, which is private to the
 * text it was made from (two texts with one fingerprint may number their
 * parameters differently). Values are never stored here.
 */
import { BoundedLru } from '../core/boundedLru';
import type { StatementAnalysis } from '../core/statementAnalysis';
import { analyzeStatement, type AnalyzerOptions, type ValueRuleTree } from '../sql/analyzeStatement';

export const MAX_TREES = 1_000;
export const MAX_TREE_TEXT = 1_000_000;

function textLength(_analysis: StatementAnalysis, tree: ValueRuleTree): number {
  return tree.statements.reduce((sum, statement) => sum + statement.text.length, 0);
}

export const valueRuleTrees = new BoundedLru<StatementAnalysis, ValueRuleTree>({
  maxEntries: MAX_TREES,
  maxWeight: MAX_TREE_TEXT,
  weigh: textLength,
});

/** The analysis of `text`, its tree kept here when it has value rules (for `checkValues`). */
export function analyzeKeepingTree(text: string, options: AnalyzerOptions): StatementAnalysis {
  return analyzeStatement(text, options, (analysis, tree) => valueRuleTrees.set(analysis, tree));
}
