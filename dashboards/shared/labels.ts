/**
 * Prometheus label names and values the dashboards and rules filter on, derived from
 * the metric registry so a renamed attribute renames every selector with it.
 */
import { ATTR, RUNTIME_ATTR, labelName } from '../../core/metrics/registry';

export const LABEL = {
  job: 'job',
  instance: 'instance',
  le: 'le',
  dbSystem: labelName(ATTR.dbSystemName),
  dbOperation: labelName(ATTR.dbOperationName),
  dbCollection: labelName(ATTR.dbCollectionName),
  errorType: labelName(ATTR.errorType),
  serverAddress: labelName(ATTR.serverAddress),
  serverPort: labelName(ATTR.serverPort),
  pool: labelName(ATTR.poolName),
  connectionState: labelName(ATTR.connectionState),
  fingerprint: labelName(ATTR.fingerprint),
  query: labelName(ATTR.query),
  rule: labelName(ATTR.rule),
  severity: labelName(ATTR.severity),
  category: labelName(ATTR.category),
  outcome: labelName(ATTR.outcome),
  cacheName: labelName(ATTR.cacheName),
  cacheLayer: labelName(ATTR.cacheLayer),
  cacheResult: labelName(ATTR.cacheResult),
  cacheEvent: labelName(ATTR.cacheEvent),
  reason: labelName(ATTR.reason),
  verified: labelName(ATTR.verified),
  component: labelName(ATTR.component),
  version: labelName(ATTR.version),
  eventLoopState: labelName(RUNTIME_ATTR.eventLoopState),
  gcType: labelName(RUNTIME_ATTR.gcType),
  heapSpace: labelName(RUNTIME_ATTR.heapSpaceName),
  resourceType: labelName(RUNTIME_ATTR.resourceType),
  /** Added by `@opentelemetry/exporter-prometheus` to every series. */
  otelScopeName: 'otel_scope_name',
  otelScopeVersion: 'otel_scope_version',
} as const;

/** `db.system.name` values of the semantic conventions for the two clients querylens watches. */
export const DB_SYSTEM = { postgresql: 'postgresql', redis: 'redis' } as const;

/** PostgreSQL SQLSTATE codes the rules single out (recorded as `error.type`). */
export const SQLSTATE = {
  deadlockDetected: '40P01',
  serializationFailure: '40001',
  tooManyConnections: '53300',
  cannotConnectNow: '57P03',
} as const;

/** `db.client.connection.state` values. */
export const CONNECTION_STATE = { idle: 'idle', used: 'used' } as const;

/** lru-cache's dispose reason for an entry pushed out by capacity. */
export const EVICTION_REASON_CAPACITY = 'evict';

/**
 * `event` values of `querylens_cache_events_total` (the tiered cache's CACHE_EVENTS), grouped as
 * the Caches dashboard shows them: stale answers and timeouts, breaker transitions, the lock.
 */
export const RESILIENCE_EVENTS = ['grace_hit', 'soft_timeout', 'hard_timeout'] as const;
export const BREAKER_EVENTS = ['breaker_open', 'breaker_half_open', 'breaker_close'] as const;
export const LOCK_EVENTS = ['lock_acquired', 'lock_wait', 'lock_wait_timeout'] as const;
/** `querylens_cache_breaker_state` of an open breaker. */
export const BREAKER_OPEN = 2;

/** `result` values of `querylens_cache_requests_total`. */
export const CACHE_RESULT = { hit: 'hit', miss: 'miss', stale: 'stale' } as const;

/** Finding severities (the SQL engine's rule severities). */
export const FINDING_SEVERITY = { error: 'error', warning: 'warning', info: 'info' } as const;

/**
 * Series that do not come from a querylens instrument: `up` is written by Prometheus for
 * every scrape, `target_info` by the OpenTelemetry Prometheus exporter (the resource).
 */
export const NON_INSTRUMENT_SERIES = { up: 'up', targetInfo: 'target_info' } as const;
