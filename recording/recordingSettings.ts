/**
 * The part of the agent's configuration that recording reads: the recorder
 * and the report take these settings, not the whole configuration, so this
 * stage does not depend on how the agent reads its environment.
 */
export interface RecordingSettings {
  /** A statement slower than this, in ms (QUERYLENS_SLOW_QUERY_MS), is a `slow-query` finding. */
  readonly slowQueryMs: number;
  /** Executions of one statement in one unit of work (QUERYLENS_N_PLUS_ONE) that make an N+1 loop. */
  readonly nPlusOneThreshold: number;
  /** Time those executions take together (QUERYLENS_N_PLUS_ONE_MIN_MS) before they are a loop worth reporting. */
  readonly nPlusOneMinMs: number;
  /** Distinct statements tracked individually (QUERYLENS_MAX_QUERIES). */
  readonly maxQueries: number;
  /** A SELECT without LIMIT returning more rows (QUERYLENS_UNBOUNDED_ROWS) is flagged. */
  readonly unboundedRows: number;
  /** Slow read-only statements are EXPLAINed (QUERYLENS_EXPLAIN). */
  readonly explain: boolean;
  /** Index suggestions for explained plans (QUERYLENS_INDEX_ADVISOR). */
  readonly indexAdvisor: 'auto' | 'hypopg' | 'off';
  /** Catalogue ids switched off (QUERYLENS_RULES): detectors and plan rules here, statement rules in the analysis. */
  readonly disabledRules: ReadonlySet<string>;
}
