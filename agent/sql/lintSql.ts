/**
 * Lints a whole SQL file (a migration, a script: many statements) with the
 * same rules the agent runs, as `source: 'file'` so migration rules apply.
 * Every finding has a 1-based line and column: where the rule pointed, else
 * where its statement starts.
 */
import type { RuleCategory, Rule, Severity } from './rule';
import { parseErrorPosition, sqlParser } from './parser';
import { prepareStatements } from './preparedStatements';
import { enabledRules, runRules } from './ruleEngine';
import { lineColumn, skipTrivia } from './textPosition';

export interface LintOptions {
  readonly disabledRules: ReadonlySet<string>;
  readonly rules: readonly Rule[];
}

export interface LintFinding {
  readonly line: number;
  readonly column: number;
  readonly rule: string;
  readonly severity: Severity;
  readonly category: RuleCategory;
  readonly message: string;
  readonly suggestion: string;
}

export const PARSE_ERROR_RULE = 'parse-error';

function parseErrorFinding(sql: string, error: unknown): LintFinding {
  const position = parseErrorPosition(error) ?? skipTrivia(sql);
  const reason = error instanceof Error ? error.message : String(error);
  return {
    ...lineColumn(sql, position),
    rule: PARSE_ERROR_RULE,
    severity: 'error',
    category: 'correctness',
    message: `PostgreSQL cannot parse this file: ${reason}`,
    suggestion: 'Fix the syntax error; no other rule was checked in this file.',
  };
}

function byPosition(a: LintFinding, b: LintFinding): number {
  return a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule);
}

/** Needs the parser loaded (`await loadSqlParser()`); throws otherwise, as that is a caller bug. */
export function lintSql(sql: string, options: LintOptions): LintFinding[] {
  const parser = sqlParser();
  if (parser === undefined) throw new Error('lintSql: the SQL parser is not loaded; await loadSqlParser() first');
  let statements;
  try {
    statements = prepareStatements(sql, parser.parse(sql));
  } catch (error) {
    return [parseErrorFinding(sql, error)];
  }
  const rules = enabledRules({ rules: options.rules, disabledRules: options.disabledRules, source: 'file' });
  return runRules(statements, rules, undefined, 'file')
    .map((hit): LintFinding => {
      const statement = statements[hit.statementIndex];
      const offset = statement.start + (hit.location ?? skipTrivia(statement.text));
      const { rule } = hit;
      return {
        ...lineColumn(sql, offset),
        rule: rule.id,
        severity: rule.severity,
        category: rule.category,
        message: hit.message,
        suggestion: rule.suggestion,
      };
    })
    .sort(byPosition);
}
