/**
 * The one way a rule makes a fix: every statement it wrote must parse, alone,
 * as exactly one statement, or the rule offers no fix at all.
 */
import type { StatementFix } from '../../core/statementAnalysis';
import type { RuleHit } from '../rule';
import { sqlParser } from '../parse/parser';
import { statementTokens, type StatementToken } from './statementTokens';

function parsesAsOneStatement(sql: string): boolean {
  try {
    return sqlParser()?.parse(sql).stmts.length === 1;
  } catch {
    return false;
  }
}

/** `tokens`: the flagged statement's own (`bodyTokens`), whose span the statements replace. */
export function checkedFix(description: string, statements: readonly string[], outsideTransaction: boolean, tokens: readonly StatementToken[]): StatementFix | undefined {
  const first = tokens[0];
  const last = tokens.at(-1);
  if (first === undefined || last === undefined || statements.length === 0 || !statements.every(parsesAsOneStatement)) return undefined;
  return { description, statements, outsideTransaction, replaces: { start: first.start, end: last.end } };
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
