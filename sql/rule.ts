/**
 * The contract between the rule engine and the rules. A rule is a pure
 * function of one parsed statement (and, where it matters, its bound
 * parameter values, held in memory only, and what the statements before it
 * in the same file established); it returns what it saw.
 */
import type { RuleCategory, Severity, StatementFix } from '../core/statementAnalysis';
import type { Fields } from './parse/parseTree';

/**
 * Where the statement comes from. `runtime`: sent by the app through pg.
 * `file`: read by `querylens lint` (migration files, scripts). Migration rules
 * judge schema changes, so they apply to files; runtime-only rules (for
 * example a DDL statement sent by app code) apply to runtime statements.
 */
export type StatementSource = 'runtime' | 'file';

/** A node of libpg-query's JSON parse tree: `{ SelectStmt: {...} }`, `{ ColumnRef: {...} }`, … */
export type PgNode = { readonly [nodeType: string]: unknown };

/**
 * What the statements before this one in the same file established, as
 * psql runs a file in one session. Relations are RangeVar fields: a name
 * written without a schema matches the same name with any schema. Runtime
 * statements are judged alone (`NO_SESSION`: nothing established).
 */
export interface SessionState {
  /** Between BEGIN (or START TRANSACTION) and COMMIT or ROLLBACK. */
  readonly inTransaction: boolean;
  /** A table or materialized view created earlier (not IF NOT EXISTS) and not dropped since: nobody else holds it yet. */
  isNewRelation(relation: Fields): boolean;
  /** The constraint was added NOT VALID earlier in the open transaction block. */
  addedNotValidInTransaction(relation: Fields, constraint: string): boolean;
  /** A valid `CHECK (column IS NOT NULL)` was added or validated earlier (and not dropped): SET NOT NULL then skips its scan (PostgreSQL 12+). */
  hasValidNotNullCheck(relation: Fields, column: string): boolean;
}

export interface RuleContext {
  /** One statement of the parse result (`stmts[i].stmt`). */
  readonly stmt: PgNode;
  /** The text of this statement alone (locations in the tree are offsets into it). */
  readonly text: string;
  /** Bound parameter values, `values[0]` is `$1`; never stored or exported. */
  readonly values: readonly unknown[] | undefined;
  readonly source: StatementSource;
  /** How many statements the same text (one pg call or one file chunk) held. */
  readonly statementCount: number;
  readonly session: SessionState;
  /** The PostgreSQL major version lint targets (its config file); undefined at runtime and by default: a current one. */
  readonly postgresVersion?: number;
}

export interface RuleHit {
  /** Names what was seen, without literal values: `LIKE pattern starts with a wildcard on column "name"`. */
  readonly message: string;
  /** Character offset into `RuleContext.text`, when the tree gives one. */
  readonly location?: number;
  /** The statement rewritten, when the rule has a safe rewrite for what it saw (`sql/fixes/`). */
  readonly fix?: StatementFix;
}

export interface Rule {
  /** kebab-case, stable: used in QUERYLENS_RULES, metrics and lint output. */
  readonly id: string;
  readonly category: RuleCategory;
  readonly severity: Severity;
  /** One line: what the rule looks for. */
  readonly description: string;
  /** What to do about it. */
  readonly suggestion: string;
  /** One line: the rewrite its hits carry (`RuleHit.fix`) where it is safe; absent for a rule that never offers one. */
  readonly fix?: string;
  /** Which statements it judges; default both. */
  readonly sources?: readonly StatementSource[];
  /**
   * True when the verdict can change with the bound values (`LIKE $1` bound
   * to a pattern starting with `%`): the engine must run `check` again with
   * the values of an execution. Without values such a rule still judges
   * literals written in the text.
   */
  readonly usesValues?: boolean;
  check(ctx: RuleContext): readonly RuleHit[];
}
