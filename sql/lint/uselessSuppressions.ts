/** Lint's warning for a suppression comment that silences nothing: a typo must not look like a fix. */
import { lineColumn } from '../../core/textPosition';
import { UNKNOWN_SUPPRESSION } from '../catalogue/lintRules';
import type { Suppressions } from '../suppression/suppressions';
import type { LintFinding } from './lintSql';

export function uselessSuppressionFindings(sql: string, suppressions: Suppressions | undefined): LintFinding[] {
  return (suppressions?.useless ?? []).map(({ offset, id }) => ({
    ...lineColumn(sql, offset),
    rule: UNKNOWN_SUPPRESSION.id,
    severity: UNKNOWN_SUPPRESSION.severity,
    category: UNKNOWN_SUPPRESSION.category,
    message: id === undefined
      ? 'Suppression comment names no rule, so it silences nothing'
      : `Suppression comment names "${id}", which is no querylens rule, so it silences nothing`,
    suggestion: UNKNOWN_SUPPRESSION.suggestion,
  }));
}
