/** The contract of plan rules: pure functions of one plan node, with thresholds from options. */
import type { RuleCategory, Severity } from '../../core/statementAnalysis';
import type { PlanNode } from './planNode';
import type { RuleMetadata } from '../catalogue/ruleMetadata';

/** What the catalog says about a relation's statistics (`pg_class`, `pg_stat_user_tables`). */
export interface RelationStatistics {
  /** `pg_class.reltuples`: -1 when the table was never analyzed (nor vacuumed). */
  readonly estimatedRows: number;
  /** `n_live_tup`: counted as rows are written, whether or not ANALYZE ran. */
  readonly liveRows: number;
  /** `n_mod_since_analyze`. */
  readonly modifiedSinceAnalyze: number;
  /** ANALYZE (manual or automatic) ran at least once. */
  readonly analyzed: boolean;
}

export interface PlanRuleOptions {
  /** `work_mem` the statement runs with, in bytes (PostgreSQL's default is 4 MB). */
  readonly workMemBytes: number;
  /** `hash_mem_multiplier` (default 2 since PostgreSQL 15): hashes may use work_mem × this. */
  readonly hashMemMultiplier: number;
  /**
   * Estimated rows of a relation (for example `pg_class.reltuples`), used when
   * the plan has no ANALYZE figures to tell how many rows a scan read.
   */
  readonly relationRows: (relation: string) => number | undefined;
  readonly relationStatistics: (relation: string) => RelationStatistics | undefined;
  /** Rows written since the last ANALYZE, as a fraction of the rows it counted, that make statistics stale. */
  readonly staleStatisticsFraction: number;
  /** Relations with fewer rows are not worth an index (PgHero: 10,000). */
  readonly bigRelationRows: number;
  /** Fraction of scanned rows a filter removes: above `removedWarn` warns, above `removedSevere` is an error. */
  readonly removedWarn: number;
  readonly removedSevere: number;
  /** Estimated vs actual rows differing by this factor or more is a mis-estimate (10×). */
  readonly misestimateFactor: number;
  /** Mis-estimates below this many rows on both sides are noise. */
  readonly misestimateMinRows: number;
  /** Outer rows × inner rows per loop of a nested loop at or above this is huge. */
  readonly nestedLoopRows: number;
}

export const DEFAULT_PLAN_RULE_OPTIONS: PlanRuleOptions = {
  workMemBytes: 4 * 1024 * 1024,
  hashMemMultiplier: 2,
  relationRows: () => undefined,
  relationStatistics: () => undefined,
  staleStatisticsFraction: 0.5,
  bigRelationRows: 10_000,
  removedWarn: 0.5,
  removedSevere: 0.9,
  misestimateFactor: 10,
  misestimateMinRows: 100,
  nestedLoopRows: 1_000_000,
};

export interface PlanFinding {
  readonly rule: string;
  readonly category: RuleCategory;
  readonly severity: Severity;
  /** Names the node and the figures, never condition text. */
  readonly message: string;
  readonly suggestion: string;
  /** `PlanNode.id` of the node the finding is about. */
  readonly nodeId: number;
}

/** Its catalogue entry (`severity` is the usual one; each hit carries its own) and its check. */
export interface PlanRule extends RuleMetadata {
  readonly id: string;
  check(node: PlanNode, options: PlanRuleOptions): readonly PlanRuleHit[];
}

export interface PlanRuleHit {
  readonly severity: Severity;
  readonly message: string;
}
