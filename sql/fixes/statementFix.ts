/**
 * The one way a rule makes a fix: every statement it wrote must parse, alone,
 * as exactly one statement, or the rule offers no fix at all.
 */
import type { StatementFix } from '../../core/statementAnalysis';
import type { RuleHit } from '../rule';
import { sqlParser } from '../parse/parser';
import { statementTokens } from './statementTokens';

function parsesAsOneStatement(sql: string): boolean {
  try {
    return sqlParser()?.parse(sql).stmts.length === 1;
  } catch {
    return false;
  }
}

export function checkedFix(description: string, statements: readonly string[], outsideTransaction: boolean): StatementFix | undefined {
  if (statements.length === 0 || !statements.every(parsesAsOneStatement)) return undefined;
  return { description, statements, outsideTransaction };
}

/** The hit with its fix, when there is one. */
export function withFix(hit: RuleHit, fix: StatementFix | undefined): RuleHit {
  return fix === undefined ? hit : { ...hit, fix };
}

/**
 * True when a fix may leave the process in the report: no constant in any
 * of its statements (a value the app sent) and at most `maxLength`
 * characters in all (its memory is then bounded like a normalized text).
 */
export function isReportableFix(fix: StatementFix, maxLength: number): boolean {
  let length = 0;
  for (const statement of fix.statements) {
    length += statement.length;
    if (length > maxLength || statementTokens(statement).some((token) => token.constant)) return false;
  }
  return true;
}
