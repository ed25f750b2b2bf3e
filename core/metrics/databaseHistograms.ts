/**
 * The histograms recorded on every database call (pg and Redis), shared
 * by the instrumentations and exported by every metric reader the agent sets
 * up (see preAggregatedHistogram.ts for why they bypass the SDK).
 */
import { PreAggregatedHistogram } from './preAggregatedHistogram';
import { METRICS } from './registry';

/** The one with exemplars: the latency panels' histogram, whose calls have a span when spans are exported. */
export const DB_OPERATION_DURATION = new PreAggregatedHistogram(METRICS.dbOperationDuration, true);
export const DB_RETURNED_ROWS = new PreAggregatedHistogram(METRICS.dbReturnedRows);
/** Pool checkouts: every `pool.query` waits for, and later releases, a connection. */
export const DB_CONNECTION_WAIT_TIME = new PreAggregatedHistogram(METRICS.dbConnectionWaitTime);
export const DB_CONNECTION_USE_TIME = new PreAggregatedHistogram(METRICS.dbConnectionUseTime);
export const DB_CONNECTION_CREATE_TIME = new PreAggregatedHistogram(METRICS.dbConnectionCreateTime);
/** Transactions per pool (instrumentations/pg/transactionWatch.ts). */
export const TRANSACTION_DURATION = new PreAggregatedHistogram(METRICS.transactionDuration);

/** Every one of them, for the producer that exports them under querylens' scope. */
export const DATABASE_HISTOGRAMS: readonly PreAggregatedHistogram[] = [
  DB_OPERATION_DURATION, DB_RETURNED_ROWS, DB_CONNECTION_WAIT_TIME, DB_CONNECTION_USE_TIME, DB_CONNECTION_CREATE_TIME, TRANSACTION_DURATION,
];
