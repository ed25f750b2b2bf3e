/**
 * The contract between the runtime recorder, which decides which statements
 * deserve an EXPLAIN, and the pg instrumentation, which runs it
 * (`agentQueries/explainRunner.ts`).
 */
import type { QueryEvent } from '../core/queryEvents';
import type { IndexAdvice } from '../sql/advice/indexCandidate';
import type { RelationStatistics } from '../sql/plan/planRule';

export type ExplainOutcome = 'ok' | 'skipped' | 'error' | 'timeout';
export const EXPLAIN_OUTCOMES: readonly ExplainOutcome[] = ['ok', 'skipped', 'error', 'timeout'];

export interface ExplainRequest {
  readonly fingerprint: string;
  /** The text as the app sent it, with its values: memory only. */
  readonly text: string;
  readonly values: readonly unknown[] | undefined;
  readonly readOnly: boolean;
  readonly statementCount: number;
  readonly server: QueryEvent['server'];
}

export interface ExplainResult {
  readonly outcome: ExplainOutcome;
  /** Raw `EXPLAIN (FORMAT JSON)` output (may contain values) when `ok`. */
  readonly plan?: unknown;
  /** Why it was skipped or failed, without values (a SQLSTATE or a short reason). */
  readonly reason?: string;
  /**
   * Rows of the plan's relations (plan rules judge scans by table size):
   * `pg_class.reltuples`, or the live row count where those statistics are missing or stale.
   */
  readonly relationRows?: Readonly<Record<string, number>>;
  /** What the catalog says of the plan's relations' statistics (the stale-statistics rule). */
  readonly relationStatistics?: Readonly<Record<string, RelationStatistics>>;
  /** The index advisor's suggestions for the statement, best first, when it ran to the end (undefined: it is off, or failed). */
  readonly indexAdvice?: readonly IndexAdvice[];
  /** The session's `work_mem` in bytes (spill rules). */
  readonly workMemBytes?: number;
}

export interface PlanRequester {
  /**
   * Undefined when this fingerprint was already explained (or queued) within
   * the interval: nothing to count. Otherwise resolves with the outcome;
   * never rejects.
   */
  request(request: ExplainRequest): Promise<ExplainResult> | undefined;
}
