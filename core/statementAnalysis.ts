/**
 * What the SQL engine knows about one distinct statement text. Produced once
 * per text (then cached); consumed by the pg instrumentation (metric labels,
 * span attributes) and the runtime recorder (statistics, detectors).
 */

export type RuleCategory = 'performance' | 'security' | 'correctness' | 'migration';
export type Severity = 'error' | 'warning' | 'info';

/**
 * A rewrite of the flagged statement that does what it meant without what the
 * rule flags, ready to run: built from its parse tree and its own text (names
 * quoted as written), each statement checked to parse.
 */
export interface StatementFix {
  /** What the rewrite does and what it needs (a unique index, no transaction block, a separate transaction for VALIDATE). */
  readonly description: string;
  /** The statements that replace the flagged one, in order, each without a terminating semicolon. */
  readonly statements: readonly string[];
  /** True when one of them cannot run inside a transaction block (the CONCURRENTLY forms). */
  readonly outsideTransaction: boolean;
  /** What they replace: string indices into the flagged statement's text, its first token to its last (comments before it and its `;` stay). */
  readonly replaces: { readonly start: number; readonly end: number };
}

export interface StaticFinding {
  readonly rule: string;
  readonly category: RuleCategory;
  readonly severity: Severity;
  readonly message: string;
  readonly suggestion: string;
  /** Present when the rule has a safe rewrite of the statement. */
  readonly fix?: StatementFix;
}

/** Tables changed, schema-qualified as written, or `'unknown'` when a statement may change tables it does not name. */
export type TableWrites = readonly string[] | 'unknown';

export interface StatementAnalysis {
  /** Grouping key: libpg_query fingerprint (hex), or `h:<hash>` of the text when unparseable or overlong. */
  readonly fingerprint: string;
  /** Display text: constants replaced by `$n`, secrets masked; at most 2,000 characters. */
  readonly normalized: string;
  /** `db.query.summary`, e.g. `SELECT users orders` (≤ 255 chars). */
  readonly summary: string;
  /** `db.operation.name` of the first statement: `SELECT`, `INSERT`, … (`UNKNOWN` when unparseable). */
  readonly operation: string;
  /** `db.collection.name`: the first table the statement reads or writes, or '' when none. */
  readonly collection: string;
  /** All tables referenced, in order of appearance, without duplicates. */
  readonly tables: readonly string[];
  readonly statementCount: number;
  /** No writes, no DDL, no locking clause, no volatile function: safe to EXPLAIN and to cache. */
  readonly readOnly: boolean;
  readonly hasVolatileFunctions: boolean;
  /**
   * Tables the statement changes (INSERT/UPDATE/DELETE/MERGE targets, every
   * table a TRUNCATE, COPY or DDL statement names), schema-qualified as
   * written; `'unknown'` when it may change tables it does not name (CALL,
   * DO, EXECUTE, unparsed text that is not a read). The query cache
   * invalidates by it.
   */
  readonly writes: TableWrites;
  /** Calls `now()`, `CURRENT_TIMESTAMP` or another function of the clock or session: never cached. */
  readonly readsClock: boolean;
  readonly parsed: boolean;
  /** Findings that do not depend on parameter values. */
  readonly findings: readonly StaticFinding[];
  /** True when some enabled rule that judges bound values reads one of the text's `$n` parameters: only then can `checkValues` find anything. */
  readonly hasValueRules: boolean;
  /**
   * Rule ids the text's own suppression comments turn off (`-- querylens-disable-next-line n-plus-one`),
   * read once per distinct text: the runtime detectors and plan rules skip them for its executions.
   * Absent when the text has none.
   */
  readonly suppressedRules?: ReadonlySet<string>;
}
