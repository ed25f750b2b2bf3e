/**
 * The contract between the runtime recorder, which decides which statements
 * deserve an EXPLAIN, and the pg instrumentation, which runs it
 * (`agentQueries/explainRunner.ts`).
 */
import type { QueryEvent } from '../core/queryEvents';

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
  /** `pg_class.reltuples` of the plan's relations (plan rules judge scans by table size). */
  readonly relationRows?: Readonly<Record<string, number>>;
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
