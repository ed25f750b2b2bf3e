/**
 * One distinct statement text → its StatementAnalysis: grouping key, display
 * text, semconv attributes, read-only flag and static findings. Pure given a
 * loaded parser, and total: whatever the text, it returns an analysis.
 */
import { reportAgentError } from '../core/agentErrors';
import type { StatementAnalysis, StaticFinding, TableWrites } from '../core/statementAnalysis';
import { guessOperation, writesOfUnparsed } from '../core/keywordGuess';
import type { RawParseResult, SqlParser } from './parse/parser';
import { sqlParser } from './parse/parser';
import { prepareStatements } from './parse/preparedStatements';
import type { PreparedStatement } from './parse/preparedStatements';
import type { Rule, StatementSource } from './rule';
import type { EngineHit } from './ruleEngine';
import { enabledRules, runRules } from './ruleEngine';
import { sanitizeSqlText } from './parse/sanitizeSqlText';
import { statementFacts } from './parse/statementFacts';
import { commentNestingTooDeep } from './parse/commentNesting';
import { textFingerprint } from '../core/textHash';
import { readSuppressions, unsuppressed, type Suppressions } from './suppression/suppressions';
import { isReportableFix } from './fixes/statementFix';
import { valueRulesReadParameters } from './parameterReads';

export interface AnalyzerOptions {
  /** Longer texts are not parsed (bounded cost per call); they are grouped by a hash of the text. The agent passes QUERYLENS_MAX_SQL_LENGTH (default 100,000). */
  readonly maxSqlLength: number;
  readonly disabledRules: ReadonlySet<string>;
  readonly source: StatementSource;
  /** Default: the whole catalogue (`ALL_RULES`); tests inject their own. */
  readonly rules?: readonly Rule[];
}

export const NORMALIZED_MAX_LENGTH = 2_000;

/** What value-dependent rules need to judge one execution's bound parameters later, without parsing again. */
export interface ValueRuleTree {
  readonly statements: readonly PreparedStatement[];
  readonly rules: readonly Rule[];
  readonly source: StatementSource;
  /** The text's suppression comments, when it has any: value rules honour them too. */
  readonly suppressions?: Suppressions;
}

/** Receives the tree of a text that has value rules; the caller decides whether and how long to keep it. */
export type KeepValueRuleTree = (analysis: StatementAnalysis, tree: ValueRuleTree) => void;

function capText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * What every analysis without tables, writes or findings holds: one frozen
 * list, not one each (an analysis is kept per distinct text, and under a
 * flood of distinct texts its parts outlive young collections).
 */
const NONE: readonly never[] = Object.freeze([]);

function kept<T>(list: readonly T[]): readonly T[] {
  return list.length === 0 ? NONE : list;
}

function keptWrites(writes: TableWrites): TableWrites {
  return writes === 'unknown' ? writes : kept(writes);
}

/** Constants → `$n` (libpg_query), then comments dropped; the scanner alone when normalize fails. */
function displayText(text: string, parser: SqlParser): string {
  let normalized: string | undefined;
  try {
    normalized = parser.normalize(text);
  } catch {
    normalized = undefined;
  }
  const hasComment = normalized !== undefined && (normalized.includes('--') || normalized.includes('/*'));
  const shown = normalized === undefined || hasComment ? sanitizeSqlText(normalized ?? text, parser) : normalized.trim();
  const display = capText(shown ?? guessOperation(text), NORMALIZED_MAX_LENGTH);
  // A text with nothing to normalize (parameters only) is shown as itself: the analysis keeps no copy of it.
  return display === text ? text : display;
}

/**
 * Same rule, same message in several statements of one text: one finding.
 * A fix is kept only when it holds no value and is no longer than a
 * normalized text: the report shows it as it is.
 */
export function toFindings(hits: readonly EngineHit[], exclude: readonly StaticFinding[] = []): StaticFinding[] {
  const seen = new Set(exclude.map((finding) => `${finding.rule}\n${finding.message}`));
  const findings: StaticFinding[] = [];
  for (const { rule, message, fix } of hits) {
    const key = `${rule.id}\n${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const reportable = fix !== undefined && isReportableFix(fix, NORMALIZED_MAX_LENGTH);
    findings.push({ rule: rule.id, category: rule.category, severity: rule.severity, message, suggestion: rule.suggestion, ...(reportable ? { fix } : {}) });
  }
  return findings;
}

/**
 * The analysis of a text that was not parsed: grouped by text hash, shown
 * with constants masked when a scanner is given (not for overlong texts,
 * whose scan would cost without bound).
 */
export function unparsedAnalysis(text: string, scanner: SqlParser | undefined): StatementAnalysis {
  const operation = guessOperation(text);
  const shown = scanner === undefined ? undefined : sanitizeSqlText(text, scanner);
  return {
    fingerprint: textFingerprint(text),
    normalized: shown === undefined ? `${operation} …` : capText(shown, NORMALIZED_MAX_LENGTH),
    summary: operation,
    operation,
    collection: '',
    tables: NONE,
    statementCount: 0,
    readOnly: false,
    hasVolatileFunctions: false,
    writes: keptWrites(writesOfUnparsed(operation)),
    readsClock: false,
    parsed: false,
    findings: NONE,
    hasValueRules: false,
  };
}

function parsedAnalysis(text: string, parser: SqlParser, options: AnalyzerOptions, keepTree: KeepValueRuleTree | undefined): StatementAnalysis {
  let parsed: RawParseResult;
  try {
    parsed = parser.parse(text);
  } catch {
    return unparsedAnalysis(text, parser);
  }
  const statements = prepareStatements(text, parsed);
  const facts = statementFacts(statements.map((statement) => statement.stmt));
  const rules = enabledRules(options);
  const valueRules = rules.filter((rule) => rule.usesValues === true);
  const hasValueRules = facts.hasParameters && valueRules.length > 0 && valueRulesReadParameters(statements, valueRules, options.source);
  // Read here, once per distinct text: fingerprint and normalized text drop comments.
  const suppressions = readSuppressions(text, statements, parser);
  // Every rule runs without values here: value rules still judge literals written in the text.
  const findings = toFindings(unsuppressed(runRules(statements, rules, undefined, options.source), suppressions));
  const analysis: StatementAnalysis = {
    fingerprint: parser.fingerprint(text),
    normalized: displayText(text, parser),
    summary: facts.summary,
    operation: facts.operation,
    collection: facts.tables[0] ?? '',
    tables: kept(facts.tables),
    statementCount: statements.length,
    readOnly: facts.readOnly,
    hasVolatileFunctions: facts.hasVolatileFunctions,
    writes: keptWrites(facts.writes),
    readsClock: facts.readsClock,
    parsed: true,
    findings: kept(findings),
    hasValueRules,
    ...(suppressions === undefined ? {} : { suppressedRules: suppressions.all }),
  };
  if (hasValueRules) keepTree?.(analysis, { statements, rules: valueRules, source: options.source, suppressions });
  return analysis;
}

/**
 * Never throws. Not parsed (fingerprint `h:<hash>`, `parsed: false`) when the
 * parser is not loaded yet, the text is longer than `maxSqlLength`, nests
 * comments deeper than the parser handles in bounded time, or is not valid SQL.
 */
export function analyzeStatement(text: string, options: AnalyzerOptions, keepTree?: KeepValueRuleTree): StatementAnalysis {
  const parser = sqlParser();
  try {
    if (parser === undefined || text.length > options.maxSqlLength || commentNestingTooDeep(text)) return unparsedAnalysis(text, undefined);
    return parsedAnalysis(text, parser, options, keepTree);
  } catch (error) {
    // Only the error's class: a parser message quotes the text near the failure, literals included.
    reportAgentError('sql-analysis', new Error(`statement analysis threw ${error instanceof Error ? error.name : typeof error}`));
    return unparsedAnalysis(text, undefined);
  }
}
