/**
 * Lints a whole SQL file (a migration, a script: many statements) with the
 * same rules the agent runs, as `source: 'file'` so migration rules apply.
 * Every finding has a 1-based line and column: where the rule pointed, else
 * where its statement starts.
 */
import type { RuleCategory, Severity } from '../../core/statementAnalysis';
import type { Rule } from '../rule';
import { parseErrorPosition, sqlParser } from '../parse/parser';
import type { PreparedStatement } from '../parse/preparedStatements';
import { prepareStatements } from '../parse/preparedStatements';
import { enabledRules, runRules } from '../ruleEngine';
import { SessionTracker } from '../sessionTracker';
import { PARSE_ERROR } from '../catalogue/lintRules';
import { readSuppressions, unsuppressed } from '../suppression/suppressions';
import { uselessSuppressionFindings } from './uselessSuppressions';
import { lineColumn, skipTrivia } from '../../core/textPosition';
import { lintFix, type LintFix } from './lintFix';

export interface LintOptions {
  readonly disabledRules: ReadonlySet<string>;
  /** Default: the whole catalogue (`ALL_RULES`). */
  readonly rules?: readonly Rule[];
  /** The PostgreSQL major version the file targets (the config file's `postgresVersion`); undefined: a current one. */
  readonly postgresVersion?: number;
}

export interface LintFinding {
  readonly line: number;
  readonly column: number;
  readonly rule: string;
  readonly severity: Severity;
  readonly category: RuleCategory;
  readonly message: string;
  readonly suggestion: string;
  /** The statement rewritten, where the rule has a safe rewrite. */
  readonly fix?: LintFix;
}

/** A file's findings, and how many statements were checked (none when the parser rejected the file). */
export interface LintResult {
  readonly statements: number;
  readonly findings: LintFinding[];
}

function parseErrorFinding(sql: string, error: unknown): LintFinding {
  const position = parseErrorPosition(error) ?? skipTrivia(sql);
  const reason = error instanceof Error ? error.message : String(error);
  return {
    ...lineColumn(sql, position),
    rule: PARSE_ERROR.id,
    severity: PARSE_ERROR.severity,
    category: PARSE_ERROR.category,
    message: `PostgreSQL cannot parse this file: ${reason}`,
    suggestion: PARSE_ERROR.suggestion,
  };
}

function byPosition(a: LintFinding, b: LintFinding): number {
  return a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule);
}

/** Needs the parser loaded (`await loadSqlParser()`); throws otherwise, as that is a caller bug. */
export function lintSql(sql: string, options: LintOptions): LintResult {
  const parser = sqlParser();
  if (parser === undefined) throw new Error('lintSql: the SQL parser is not loaded; await loadSqlParser() first');
  // libpg_query rejects empty input; an empty or comment-only file has nothing to lint.
  if (skipTrivia(sql) === sql.length) return { statements: 0, findings: [] };
  let statements: PreparedStatement[];
  try {
    statements = prepareStatements(sql, parser.parse(sql));
  } catch (error) {
    return { statements: 0, findings: [parseErrorFinding(sql, error)] };
  }
  const rules = enabledRules({ rules: options.rules, disabledRules: options.disabledRules, source: 'file' });
  const suppressions = readSuppressions(sql, statements, parser);
  // One tracker per file: a statement is judged with what the file did before it.
  const file = { session: new SessionTracker(), postgresVersion: options.postgresVersion };
  const findings = unsuppressed(runRules(statements, rules, undefined, 'file', file), suppressions)
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
        ...(hit.fix === undefined ? {} : { fix: lintFix(sql, statement, hit.fix) }),
      };
    })
    .concat(uselessSuppressionFindings(sql, suppressions))
    .sort(byPosition);
  return { statements: statements.length, findings };
}
