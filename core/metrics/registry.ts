/**
 * The one place every querylens instrument is named. Instrumentations create
 * instruments from these definitions; dashboards, alert rules and tests use the
 * `scraped` names, so a rename cannot leave a dashboard blind.
 *
 * `@opentelemetry/exporter-prometheus` turns dots into `_`, appends `_total` to
 * counters and adds no unit suffix; histograms gain `_bucket`/`_sum`/`_count`.
 */

export type InstrumentKind = 'histogram' | 'counter' | 'gauge' | 'updowncounter';

export interface MetricDefinition {
  /** OpenTelemetry instrument name (dotted). */
  readonly name: string;
  /** Metric family name as Prometheus scrapes it (without `_bucket`… suffixes). */
  readonly scraped: string;
  readonly kind: InstrumentKind;
  readonly unit: string;
  readonly description: string;
  /** Explicit histogram bucket boundaries (seconds histograms need them). */
  readonly buckets?: readonly number[];
  /** Boundaries for the series of one `db.system.name` that differ from `buckets` (Redis resolves below a millisecond). */
  readonly bucketsByDbSystem?: Readonly<Record<string, readonly number[]>>;
}

/** Semantic-convention buckets for `db.client.operation.duration` and other second histograms. */
export const DURATION_BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10] as const;
/**
 * Redis commands: most answer in well under a millisecond, where the
 * semantic-convention buckets put every one in the first bucket. Those
 * buckets are the floor; the ones below 1 ms and 2.5 ms are added.
 */
export const REDIS_DURATION_BUCKETS_SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10] as const;
/** Transactions: from a few milliseconds to the minutes of a batch job or a forgotten one. */
export const TRANSACTION_BUCKETS_SECONDS = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300] as const;
export const ROW_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] as const;

/** The bucket boundaries of a histogram's series for one database system (or none). */
export function bucketsOf(definition: MetricDefinition, dbSystem: string | undefined): readonly number[] {
  return (dbSystem === undefined ? undefined : definition.bucketsByDbSystem?.[dbSystem]) ?? definition.buckets ?? [];
}

function scrapedName(name: string, kind: InstrumentKind): string {
  const base = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return kind === 'counter' ? `${base}_total` : base;
}

function define(
  name: string,
  kind: InstrumentKind,
  unit: string,
  description: string,
  buckets?: readonly number[],
): MetricDefinition {
  return { name, scraped: scrapedName(name, kind), kind, unit, description, buckets };
}

export const METRICS = {
  // Semantic-convention database client metrics (pg and redis alike).
  dbOperationDuration: {
    ...define('db.client.operation.duration', 'histogram', 's', 'Duration of database client operations.', DURATION_BUCKETS_SECONDS),
    bucketsByDbSystem: { redis: REDIS_DURATION_BUCKETS_SECONDS },
  },
  dbReturnedRows: define('db.client.response.returned_rows', 'histogram', '{row}',
    'Number of rows returned by the operation.', ROW_BUCKETS),
  dbConnectionCount: define('db.client.connection.count', 'gauge', '{connection}',
    'Connections of the pool in the state given by db.client.connection.state.'),
  dbConnectionMax: define('db.client.connection.max', 'gauge', '{connection}',
    'Maximum number of open connections allowed by the pool.'),
  dbConnectionIdleMax: define('db.client.connection.idle.max', 'gauge', '{connection}',
    'Maximum number of idle open connections allowed by the pool.'),
  dbConnectionIdleMin: define('db.client.connection.idle.min', 'gauge', '{connection}',
    'Minimum number of idle open connections kept by the pool.'),
  dbConnectionPendingRequests: define('db.client.connection.pending_requests', 'gauge', '{request}',
    'Requests waiting for a connection from the pool.'),
  dbConnectionTimeouts: define('db.client.connection.timeouts', 'counter', '{timeout}',
    'Connection checkouts that timed out before a connection was available.'),
  dbConnectionWaitTime: define('db.client.connection.wait_time', 'histogram', 's',
    'Time spent waiting to obtain a connection from the pool.', DURATION_BUCKETS_SECONDS),
  dbConnectionCreateTime: define('db.client.connection.create_time', 'histogram', 's',
    'Time taken to open a new connection.', DURATION_BUCKETS_SECONDS),
  dbConnectionUseTime: define('db.client.connection.use_time', 'histogram', 's',
    'Time between checking a connection out of the pool and releasing it.', DURATION_BUCKETS_SECONDS),

  // How the app holds its pool clients and transactions (ours: the conventions have none).
  poolClientLeaks: define('querylens.pool.client_leaks', 'counter', '{client}',
    'Pool clients held past QUERYLENS_POOL_LEAK_MS without being released (each checkout counted once).'),
  transactionDuration: define('querylens.transaction.duration', 'histogram', 's',
    'Duration of transactions (BEGIN to COMMIT or ROLLBACK on one client), per pool.', TRANSACTION_BUCKETS_SECONDS),
  longTransactions: define('querylens.transaction.long', 'counter', '{transaction}',
    'Transactions open past QUERYLENS_LONG_TRANSACTION_MS, per pool.'),
  idleInTransaction: define('querylens.transaction.idle', 'counter', '{occurrence}',
    'Times a client sat idle inside an open transaction past QUERYLENS_IDLE_IN_TRANSACTION_MS, per pool.'),

  // Redis connection health (ours: the conventions have none).
  redisConnectionErrors: define('querylens.redis.connection.errors', 'counter', '{error}',
    'Redis connection errors reported by ioredis clients.'),
  redisReconnects: define('querylens.redis.reconnects', 'counter', '{reconnect}',
    'Times an ioredis client started reconnecting.'),

  // Per-statement statistics (top-K fingerprints, the rest under fingerprint="other").
  queryCalls: define('querylens.query.calls', 'counter', '{call}',
    'Executions per statement fingerprint.'),
  queryTime: define('querylens.query.time', 'counter', 's',
    'Total execution time per statement fingerprint.'),
  queryRows: define('querylens.query.rows', 'counter', '{row}',
    'Rows returned or affected per statement fingerprint.'),
  queryErrors: define('querylens.query.errors', 'counter', '{error}',
    'Failed executions per statement fingerprint.'),
  queryInfo: define('querylens.query.info', 'gauge', '1',
    'Joins a fingerprint to its normalized SQL text (value is always 1).'),

  // Findings and runtime detectors.
  findings: define('querylens.findings', 'gauge', '{fingerprint}',
    'Distinct statement fingerprints currently flagged, by rule.'),
  flaggedExecutions: define('querylens.flagged_executions', 'counter', '{execution}',
    'Executions of flagged statements, by rule.'),
  slowQueries: define('querylens.slow_queries', 'counter', '{execution}',
    'Executions slower than QUERYLENS_SLOW_QUERY_MS.'),
  nPlusOne: define('querylens.n_plus_one', 'counter', '{loop}',
    'N+1 query loops detected.'),
  explainRuns: define('querylens.explain', 'counter', '{run}',
    'Automatic EXPLAIN runs, by outcome.'),
  indexSuggestions: define('querylens.index_suggestions', 'gauge', '{index}',
    'Indexes the index advisor currently suggests, by verified (true: HypoPG verified the cost cut; false: estimated from pg_stats).'),
  indexSuggestionTimeShare: define('querylens.index_suggestion.time_share', 'gauge', '1',
    'Largest share of the service\'s statement time spent in the statements one suggested index helps, by verified.'),
  unparseableStatements: define('querylens.sql.unparseable', 'counter', '{statement}',
    'Distinct statement texts the SQL parser could not analyse (kept under a text hash).'),

  // Caches.
  cacheRequests: define('querylens.cache.requests', 'counter', '{request}',
    'Cache lookups by layer and result (hit, miss, stale).'),
  cacheEvictions: define('querylens.cache.evictions', 'counter', '{eviction}',
    'Cache entries removed, by reason.'),
  cacheEntries: define('querylens.cache.entries', 'gauge', '{entry}',
    'Entries currently held by the cache.'),
  cacheMaxEntries: define('querylens.cache.max_entries', 'gauge', '{entry}',
    'Entry capacity of the cache.'),
  cacheLoadDuration: define('querylens.cache.load_duration', 'histogram', 's',
    'Loader time on a cache miss.', DURATION_BUCKETS_SECONDS),
  cacheLoadDatabaseDuration: define('querylens.cache.load.database_duration', 'histogram', 's',
    'Database time spent inside one cache load (queries run by the loader).', DURATION_BUCKETS_SECONDS),
  cacheErrors: define('querylens.cache.errors', 'counter', '{error}',
    'Cache layer operations that failed (Redis unavailable or timed out, undecodable values); the cache answered without that layer.'),
  cacheEvents: define('querylens.cache.events', 'counter', '{event}',
    'Tiered-cache events beyond lookups: invalidations caused by the app\'s own writes, statements run uncached and why, stale answers, timeouts, breaker transitions, cross-instance locks.'),
  cacheBreakerState: define('querylens.cache.breaker.state', 'gauge', '1',
    'State of the tiered cache\'s Redis circuit breaker: 0 closed, 1 half-open (one probe goes to Redis), 2 open (Redis skipped); the worst of the live caches of the name, 0 once they are closed.'),
  cacheLockWaitDuration: define('querylens.cache.lock.wait_duration', 'histogram', 's',
    'Time a tiered-cache miss waited for another instance holding the key\'s Redis lock to load and store the value.', DURATION_BUCKETS_SECONDS),

  // The agent itself.
  agentErrors: define('querylens.agent.errors', 'counter', '{error}',
    'Failures inside the agent, caught and counted instead of reaching the app.'),
  agentInfo: define('querylens.agent.info', 'gauge', '1',
    'The querylens agent version (value is always 1).'),
} as const satisfies Record<string, MetricDefinition>;

export type MetricKey = keyof typeof METRICS;

/** Attribute names as the semantic conventions spell them, and as Prometheus labels. */
export const ATTR = {
  serviceName: 'service.name',
  dbSystemName: 'db.system.name',
  dbOperationName: 'db.operation.name',
  dbCollectionName: 'db.collection.name',
  dbNamespace: 'db.namespace',
  dbQuerySummary: 'db.query.summary',
  dbQueryText: 'db.query.text',
  dbResponseStatusCode: 'db.response.status_code',
  dbOperationBatchSize: 'db.operation.batch.size',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  errorType: 'error.type',
  poolName: 'db.client.connection.pool.name',
  connectionState: 'db.client.connection.state',
  codeFilePath: 'code.file.path',
  codeLineNumber: 'code.line.number',
  codeColumnNumber: 'code.column.number',
  codeFunctionName: 'code.function.name',
  fingerprint: 'fingerprint',
  query: 'query',
  rule: 'rule',
  severity: 'severity',
  category: 'category',
  outcome: 'outcome',
  cacheName: 'cache_name',
  cacheLayer: 'cache_layer',
  cacheResult: 'result',
  cacheEvent: 'event',
  reason: 'reason',
  verified: 'verified',
  component: 'component',
  version: 'version',
} as const;

/** The Prometheus label an attribute becomes. */
export function labelName(attribute: string): string {
  return attribute.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** Instrumentation scope (meter and tracer name) of everything querylens records. */
export const QUERYLENS_SCOPE = 'querylens';

/**
 * Node.js runtime metrics, named by the upstream package
 * `@opentelemetry/instrumentation-runtime-node` (0.37), not by querylens: listed here
 * only so dashboards, alert rules and tests take their scraped names from one place.
 * The event-loop delay gauges are in seconds; `nodejs.eventloop.time` is an
 * observable counter; heap sizes are in bytes, one series per V8 heap space.
 */
export const RUNTIME_METRICS = {
  eventLoopDelayMin: define('nodejs.eventloop.delay.min', 'gauge', 's', 'Event loop minimum delay.'),
  eventLoopDelayMax: define('nodejs.eventloop.delay.max', 'gauge', 's', 'Event loop maximum delay.'),
  eventLoopDelayMean: define('nodejs.eventloop.delay.mean', 'gauge', 's', 'Event loop mean delay.'),
  eventLoopDelayStddev: define('nodejs.eventloop.delay.stddev', 'gauge', 's',
    'Event loop standard deviation delay.'),
  eventLoopDelayP50: define('nodejs.eventloop.delay.p50', 'gauge', 's', 'Event loop 50 percentile delay.'),
  eventLoopDelayP90: define('nodejs.eventloop.delay.p90', 'gauge', 's', 'Event loop 90 percentile delay.'),
  eventLoopDelayP99: define('nodejs.eventloop.delay.p99', 'gauge', 's', 'Event loop 99 percentile delay.'),
  eventLoopTime: define('nodejs.eventloop.time', 'counter', 's',
    'Cumulative duration of time the event loop has been in each state.'),
  eventLoopUtilization: define('nodejs.eventloop.utilization', 'gauge', '1', 'Event loop utilization.'),
  gcDuration: define('v8js.gc.duration', 'histogram', 's',
    'Garbage collection duration by kind, one of major, minor, incremental or weakcb.'),
  heapSpaceSize: define('v8js.memory.heap.space.size', 'updowncounter', 'By',
    'Total heap memory size pre-allocated for a heap space.'),
  heapUsed: define('v8js.memory.heap.used', 'gauge', 'By', 'Heap memory size allocated, per heap space.'),
  heapSpaceAvailableSize: define('v8js.memory.heap.space.available_size', 'gauge', 'By',
    'Heap space available size.'),
  heapSpacePhysicalSize: define('v8js.memory.heap.space.physical_size', 'gauge', 'By',
    'Committed size of a heap space.'),
  activeResources: define('v8js.resource.active', 'gauge', '{resource}',
    'Count of the active resources that are currently keeping the event loop alive.'),
} as const satisfies Record<string, MetricDefinition>;

/** Attributes of the runtime metrics, as `@opentelemetry/instrumentation-runtime-node` names them. */
export const RUNTIME_ATTR = {
  eventLoopState: 'nodejs.eventloop.state',
  gcType: 'v8js.gc.type',
  heapSpaceName: 'v8js.heap.space.name',
  resourceType: 'v8js.resource.type',
} as const;

/**
 * Runtime figures querylens records itself because the upstream runtime instrumentation
 * has no equivalent: without the V8 heap size limit, "heap near its limit" cannot be
 * computed from the per-space sizes (their available sizes ignore heap growth).
 */
export const QUERYLENS_RUNTIME_METRICS = {
  heapSizeLimit: define('querylens.runtime.heap.size_limit', 'gauge', 'By',
    'V8 heap size limit (v8.getHeapStatistics().heap_size_limit).'),
} as const satisfies Record<string, MetricDefinition>;
