/** Defaults of the connection thresholds; agent/config.ts reads and documents the variables that override them. */
export const CONNECTION_DEFAULTS = {
  /** QUERYLENS_POOL_LEAK_MS: a pool client held longer is a leak. */
  poolLeakMs: 10_000,
  /** QUERYLENS_LONG_TRANSACTION_MS */
  longTransactionMs: 5_000,
  /** QUERYLENS_IDLE_IN_TRANSACTION_MS */
  idleInTransactionMs: 1_000,
} as const;
