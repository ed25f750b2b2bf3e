/**
 * Alert thresholds in one place, with where each comes from. Windows are the usual
 * 5 minutes of rate: long enough to smooth a 15-60 s scrape, short enough to page early.
 */
export const RATE_WINDOW = '5m';

export const THRESHOLDS = {
  /** Share of failed database operations: warning / critical (rollbacks > 10% is the usual page). */
  dbErrorRatio: { warning: 0.05, critical: 0.1 },
  /** p99 PostgreSQL latency in seconds: the agent's default slow-query threshold (QUERYLENS_SLOW_QUERY_MS=500). */
  pgP99Seconds: 0.5,
  /** Deadlocks and serialization failures per minute (postgres-exporter mixins page at > 5/min). */
  txConflictsPerMinute: 5,
  /** Used connections over the pool maximum (PostgreSQL mixins: > 80% for 10m). */
  poolUsedRatio: 0.8,
  /** Transactions over QUERYLENS_LONG_TRANSACTION_MS per rate window: one is a finding, a steady stream holds locks and VACUUM back. */
  longTransactionsPerWindow: 2,
  /** Requests waiting for a connection per connection the pool may open. */
  pendingPerMaxConnection: 1,
  /** p99 Redis latency in seconds: an in-memory store answering slower than a 0.1 s bucket is in trouble. */
  redisP99Seconds: 0.1,
  /** Cache hit ratio below which the cache costs more than it saves (reference: < 80% for 10m). */
  cacheHitRatio: 0.8,
  /** Lookups per second below which a hit ratio says nothing. */
  cacheMinRequestsPerSecond: 1,
  /** Capacity evictions per second (reference: > 10/s). */
  cacheEvictionsPerSecond: 10,
  /** How long a tiered cache's Redis breaker must stay open: past a few failed probes (5 s cooldown each), not one blip. */
  cacheBreakerOpenFor: '5m',
  /** Event-loop delay p99 in seconds: 100 ms is when users notice, 1 s is an outage. */
  eventLoopP99Seconds: { warning: 0.1, critical: 1 },
  /** V8 heap in use over the heap size limit. */
  heapUsedRatio: { warning: 0.85, critical: 0.95 },
  /** Share of PostgreSQL operations slower than the slow-query threshold. */
  slowQueryRatio: 0.01,
  /** N+1 loops detected per minute. */
  nPlusOnePerMinute: 1,
  /** Share of the service's statement time in statements a HypoPG-verified index would help (a tenth is worth an index). */
  indexSuggestionTimeShare: 0.1,
  /** How long one caught agent failure keeps its alert firing. */
  agentErrorWindow: '15m',
  /** How far back "new" looks for error-severity findings. */
  newFindingLookback: '1h',
} as const;

/**
 * Error budget of database calls: 99.9% succeed. Burn-rate factors and windows from the
 * Google SRE workbook (multiwindow, multi-burn-rate alerts): 14.4x over 1h and 5m pages,
 * 6x over 6h and 30m is a ticket.
 */
export const DB_SLO = {
  objective: 0.999,
  fast: { factor: 14.4, long: '1h', short: '5m' },
  slow: { factor: 6, long: '6h', short: '30m' },
} as const;
