/**
 * What `querylens lint` reports about a file itself rather than a statement
 * in it: not rule modules, but catalogue entries like the others.
 */
import type { RuleMetadata } from './ruleMetadata';

export interface LintRule extends RuleMetadata {
  readonly id: string;
}

/** When the PostgreSQL parser rejects a file. */
export const PARSE_ERROR: LintRule = {
  id: 'parse-error',
  category: 'correctness',
  severity: 'error',
  description: 'The file is not valid PostgreSQL SQL; the parser stopped at the reported position.',
  suggestion: 'Fix the syntax error; no other rule was checked in this file.',
};

/** When a suppression comment names no rule, or a rule the catalogue does not have (a typo silences nothing). */
export const UNKNOWN_SUPPRESSION: LintRule = {
  id: 'unknown-suppression',
  category: 'correctness',
  severity: 'warning',
  description: 'A querylens-disable or querylens-disable-next-line comment that names no rule, or a rule id querylens does not have: it silences nothing.',
  suggestion: 'Name the rules to silence with the ids querylens rules lists, separated by commas: -- querylens-disable-next-line select-star, large-offset',
};

export const LINT_RULES: readonly LintRule[] = [PARSE_ERROR, UNKNOWN_SUPPRESSION];
