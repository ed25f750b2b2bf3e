/**
 * Runs rules over prepared statements. A rule that throws is reported as an
 * agent error and skipped for that statement; the others still run, and
 * nothing reaches the caller.
 */
import { reportAgentError } from '../core/agentErrors';
import type { StatementFix } from '../core/statementAnalysis';
import type { PreparedStatement } from './parse/preparedStatements';
import type { Rule, StatementSource } from './rule';
import { ALL_RULES } from './rules/index';
import { NO_SESSION, type SessionTracker } from './sessionTracker';
import { RULE_CATALOGUE } from './catalogue/ruleCatalogue';

export interface RuleSelection {
  /** Default: the whole catalogue (`ALL_RULES`). */
  readonly rules?: readonly Rule[];
  readonly disabledRules: ReadonlySet<string>;
  readonly source: StatementSource;
}

export interface EngineHit {
  readonly rule: Rule;
  readonly message: string;
  /** Index into the statements the hit belongs to. */
  readonly statementIndex: number;
  /** String index into that statement's text, when the rule gave a valid one. */
  readonly location: number | undefined;
  readonly fix?: StatementFix;
}

/** The rules that judge statements from `source` and are not disabled. */
export function enabledRules(selection: RuleSelection): readonly Rule[] {
  return (selection.rules ?? ALL_RULES).filter(
    (rule) => !selection.disabledRules.has(rule.id) && (rule.sources === undefined || rule.sources.includes(selection.source)),
  );
}

/** Ids in `disabledRules` that name no rule of the catalogue (any kind): the bootstrap and the CLI warn about them once. */
export function unknownRuleIds(disabledRules: Iterable<string>, rules: readonly Pick<Rule, 'id'>[] = RULE_CATALOGUE): string[] {
  const known = new Set(rules.map((rule) => rule.id));
  return [...new Set(disabledRules)].filter((id) => !known.has(id));
}

/** What `querylens lint` knows of the file a statement is in. */
export interface FileContext {
  /** What the statements before this one established; without it, each is judged alone. */
  readonly session?: SessionTracker;
  /** The PostgreSQL major version the file targets (the lint config file). */
  readonly postgresVersion?: number;
}

/**
 * With a file context, each statement is judged with what the ones before it
 * established (`querylens lint`: one file); without, each is judged alone.
 */
export function runRules(
  statements: readonly PreparedStatement[],
  rules: readonly Rule[],
  values: readonly unknown[] | undefined,
  source: StatementSource,
  file: FileContext = {},
): EngineHit[] {
  const hits: EngineHit[] = [];
  statements.forEach((statement, statementIndex) => {
    const context = {
      stmt: statement.stmt, text: statement.text, values, source, statementCount: statements.length,
      session: file.session ?? NO_SESSION, postgresVersion: file.postgresVersion,
    };
    for (const rule of rules) {
      try {
        for (const hit of rule.check(context)) {
          const location = typeof hit.location === 'number' && hit.location >= 0 && hit.location <= statement.text.length ? hit.location : undefined;
          hits.push({ rule, message: hit.message, statementIndex, location, ...(hit.fix === undefined ? {} : { fix: hit.fix }) });
        }
      } catch (error) {
        // Only the error's class: its message could quote the statement's literals or bound values.
        reportAgentError('sql-rule', new Error(`rule ${rule.id} threw ${error instanceof Error ? error.name : typeof error}`));
      }
    }
    file.session?.advance(statement.stmt);
  });
  return hits;
}
