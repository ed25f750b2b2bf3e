/**
 * Pins the published report schema (docs/report.md): every field of every
 * section, its JSON type and its order, for a report with every section
 * filled. A change here is a change to what `GET /querylens/api/report`
 * serves, so it needs docs/report.md and, when incompatible, a new
 * schemaVersion.
 */
import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../core/minuteHistory';
import { buildReport, type ReportSources } from '../../report/buildReport';

const AT = Date.UTC(2026, 10, 27, 11, 20);

/** One bucket per resolution, counters and peaks as each source's history shape orders them. */
function window(counters: number[], peaks: number[] = []) {
  const point = { start: AT, counters, peaks, p95Ms: 12.3456 };
  return { minutes: [point], hours: [{ ...point, start: AT - 20 * 60_000 }] };
}

const SITE = { file: 'src/orders.js', line: 42, column: 11, function: 'loadOrders' };

const recorder: ReportSources['recorder'] = {
  callSitesOf: () => [{ site: SITE, samples: 8, lastSeen: AT }],
  routes: () => [{
    route: 'GET /customers/:id/orders', requests: 4, statements: 48, totalMs: 480.1234, lastSeen: AT + 1000,
    byStatement: [{ fingerprint: 'f1', calls: 48, totalMs: 480.1234, requests: 4 }],
  }],
  queryHistories: () => new Map([['f1', window([4, 2424.2431, 0, 1])]]),
  topQueries: () => [{
    fingerprint: 'f1', normalized: 'SELECT id FROM orders WHERE note = $1', operation: 'SELECT', collection: 'orders', tables: ['orders'],
    calls: 4, totalMs: 2424.2431, meanMs: 606.0611, maxMs: 906.7241, p50Ms: 550, p95Ms: 906.7241, p99Ms: 906.7241,
    rows: 0, errors: 1, errorsByCode: { '57014': 1 }, firstSeen: AT, lastSeen: AT + 1000,
  }],
  overallP95Ms: () => 3.4121,
  otherQueries: () => ({ calls: 1, totalMs: 2, rows: 3, errors: 0, evictions: 1 }),
  findings: () => [{
    rule: 'slow-query', severity: 'warning', category: 'performance', fingerprint: 'f1', example: 'SELECT id FROM orders WHERE note = $1',
    message: 'took 906 ms', suggestion: 'add an index',
    fix: { description: 'refresh concurrently', statements: ['REFRESH MATERIALIZED VIEW CONCURRENTLY mv'], outsideTransaction: false, replaces: { start: 0, end: 28 } }, firstSeen: AT, lastSeen: AT + 1000, count: 2, persistence: 'event',
    plan: { plan: [{ Plan: { 'Node Type': 'Seq Scan' } }], summary: 'Seq Scan on "orders"', explainedAt: AT + 500 },
  }],
  slowQueries: () => [{
    fingerprint: 'f1', lastDurationMs: 906.7, maxDurationMs: 906.7, lastTraceId: 'abc', lastSeen: AT + 1000, lastRoute: 'GET /reports/slow', lastCallSite: SITE, explain: { outcome: 'ok' },
  }],
  nPlusOneLoops: () => [{
    fingerprint: 'f1', normalized: 'SELECT 1', loops: 2, maxRepetitions: 12, maxTotalMs: 60.5, firstSeen: AT, lastSeen: AT + 1000, routes: [{ route: 'GET /customers/:id/orders', loops: 2 }],
  }],
  cacheCandidates: () => [{
    fingerprint: 'f1', normalized: 'SELECT 1', tables: ['orders'], calls: 40, repeats: 30, distinctParameterSets: 10, sampleFull: false,
    estimatedHitRate: 0.75, meanMs: 2.5, estimatedTimeSavedMs: 75,
    tableWritesPerMinute: 2, coveredByWriteInvalidation: true, recommendedTtlMs: 300_000, code: 'await cache.query(pool, "SELECT 1", { ttlMs: 300000 })',
  }],
  explainOutcomes: () => ({ ok: 1, skipped: 0, error: 0, timeout: 0 }),
  indexSuggestions: () => [{
    ddl: 'CREATE INDEX CONCURRENTLY ON orders (note);', table: 'orders', method: 'hypopg',
    statements: [{ fingerprint: 'f1', normalized: 'SELECT id FROM orders WHERE note = $1', costBefore: 1887.004, costAfter: 8.306 }],
    firstSeen: AT, lastSeen: AT + 1000,
  }],
};

const sources: ReportSources = {
  serviceName: 'orders-api',
  agentVersion: '0.1.0',
  startedAt: AT,
  now: AT + 60_000,
  config: { slowQueryMs: 500, nPlusOneThreshold: 5, nPlusOneMinMs: 50, maxQueries: 200, unboundedRows: 1000, explain: true, indexAdvisor: 'auto', disabledRules: new Set<string>() },
  recorder,
  parse: { hits: 1, misses: 2, unparseable: 0, overlong: 0, notReady: 0, pending: 0, pendingDropped: 0, deferred: 0, evictions: 0, entries: 2, textChars: 40 },
  slowQueryLog: { destination: 'stderr', stats: () => ({ written: 1, dropped: 0 }) },
  pools: [{ name: 'pg-pool', total: 2, idle: 1, used: 1, pending: 0, max: 10, min: 0, checkouts: 5, waitP95Ms: 0.5 }],
  heldClients: [{ pool: 'pg-pool', heldMs: 12_345.6789, site: SITE, route: 'GET /leak', leaked: true }],
  connectionFindings: [{
    kind: 'pool-client-leak', pool: 'pg-pool', site: SITE, route: 'GET /leak', count: 1, maxMs: 12_345.6789, lastMs: 12_345.6789, releasedLate: 0, firstSeen: AT, lastSeen: AT + 1000,
  }],
  redisCommands: [{ server: '127.0.0.1:6379', database: 0, command: 'GET', calls: 3, errors: 0, p95Ms: 0.2 }],
  caches: [{
    name: 'users', layer: 'memory', hits: 3, misses: 1, stale: 0, errors: 0, evictions: { evict: 1, set: 0, delete: 0, expire: 0, fetch: 0, other: 0 }, entries: 2, maxEntries: 100,
    events: { write_invalidation: 2, grace_hit: 1 }, breaker: 'open',
  }],
  historySince: AT - HOUR_MS,
  poolHistories: [{ name: 'pg-pool', ...window([5], [1, 0]) }],
  redisHistories: [{ server: '127.0.0.1:6379', ...window([3, 0]) }],
  cacheHistories: [{ name: 'users', layer: 'memory', ...window([3, 1, 0]) }],
};

function historyOf(point: Record<string, string>) {
  return { minutes: [point], hours: [point] };
}

const STATEMENT_POINT = { start: 'string', calls: 'number', totalMs: 'number', p95Ms: 'number', rows: 'number', errors: 'number' };

type Shape = string | Shape[] | { [field: string]: Shape };

/** The JSON type of every field, in the order the report serves them; arrays by their first element. */
function shape(value: unknown): Shape {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? [] : [shape(value[0])];
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([field, inner]) => [field, shape(inner)]));
  return typeof value;
}

const PLAN = { summary: 'string', explainedAt: 'string', plan: [{ Plan: { 'Node Type': 'string' } }] };
const CALL_SITE = { file: 'string', line: 'number', column: 'number', function: 'string' };
const SAMPLED_CALL_SITE = { ...CALL_SITE, samples: 'number' };

const SCHEMA = {
  schemaVersion: 'number',
  generatedAt: 'string',
  service: { name: 'string', agentVersion: 'string' },
  startedAt: 'string',
  uptimeSeconds: 'number',
  statsSince: 'string',
  thresholds: {
    slowQueryMs: 'number', nPlusOne: 'number', nPlusOneMinMs: 'number', maxQueries: 'number', unboundedRows: 'number', explain: 'boolean', indexAdvisor: 'string',
    callSites: 'boolean', poolLeakMs: 'number', longTransactionMs: 'number', idleInTransactionMs: 'number',
  },
  queries: {
    p95Ms: 'number',
    top: [{
      fingerprint: 'string', operation: 'string', collection: 'string', tables: ['string'],
      calls: 'number', totalMs: 'number', meanMs: 'number', maxMs: 'number', p50Ms: 'number', p95Ms: 'number', p99Ms: 'number',
      rows: 'number', errors: 'number', errorsByCode: { '57014': 'number' }, query: 'string', firstSeen: 'string', lastSeen: 'string',
      callSites: [SAMPLED_CALL_SITE], routes: [{ route: 'string', requests: 'number', callsPerRequest: 'number', msPerRequest: 'number' }],
      history: historyOf(STATEMENT_POINT),
    }],
    other: { calls: 'number', totalMs: 'number', rows: 'number', errors: 'number', evictions: 'number' },
  },
  findings: [{
    rule: 'string', severity: 'string', category: 'string', fingerprint: 'string', example: 'string', message: 'string', suggestion: 'string',
    fix: { description: 'string', statements: ['string'], outsideTransaction: 'boolean' }, count: 'number', persistence: 'string', firstSeen: 'string', lastSeen: 'string',
    callSites: [SAMPLED_CALL_SITE], plan: PLAN,
  }],
  slowQueries: [{
    fingerprint: 'string', query: 'string', slowExecutions: 'number', calls: 'number', meanMs: 'number', p95Ms: 'number',
    maxMs: 'number', lastMs: 'number', lastSeen: 'string', lastTraceId: 'string', lastRoute: 'string', lastCallSite: CALL_SITE, findings: ['string'], explain: { outcome: 'string' }, plan: PLAN,
  }],
  nPlusOne: [{
    fingerprint: 'string', loops: 'number', maxRepetitions: 'number', maxTotalMs: 'number', query: 'string', firstSeen: 'string', lastSeen: 'string',
    routes: [{ route: 'string', loops: 'number' }], callSites: [SAMPLED_CALL_SITE],
  }],
  cacheCandidates: [{
    fingerprint: 'string', calls: 'number', repeats: 'number', distinctParameterSets: 'number', sampleFull: 'boolean',
    estimatedHitRate: 'number', meanMs: 'number', estimatedTimeSavedMs: 'number', query: 'string',
    tables: ['string'], tableWritesPerMinute: 'number', coveredByWriteInvalidation: 'boolean', recommendedTtlMs: 'number', code: 'string',
  }],
  indexSuggestions: [{
    ddl: 'string', table: 'string', verified: 'boolean', costBefore: 'number', costAfter: 'number', msPerHour: 'number', timeShare: 'number',
    statements: [{ fingerprint: 'string', query: 'string', costBefore: 'number', costAfter: 'number', msPerHour: 'number' }],
    firstSeen: 'string', lastSeen: 'string',
  }],
  explain: { ok: 'number', skipped: 'number', error: 'number', timeout: 'number' },
  parse: {
    hits: 'number', misses: 'number', unparseable: 'number', overlong: 'number', notReady: 'number', pending: 'number', pendingDropped: 'number', deferred: 'number',
    evictions: 'number', entries: 'number', textChars: 'number',
  },
  slowQueryLog: { destination: 'string', written: 'number', dropped: 'number' },
  pools: [{
    name: 'string', total: 'number', idle: 'number', used: 'number', pending: 'number', max: 'number', min: 'number', checkouts: 'number', waitP95Ms: 'number',
    history: historyOf({ start: 'string', checkouts: 'number', waitP95Ms: 'number', peakUsed: 'number', peakPending: 'number' }),
  }],
  routes: [{
    route: 'string', requests: 'number', statementsPerRequest: 'number', dbMsPerRequest: 'number', totalMs: 'number', lastSeen: 'string',
    statements: [{ fingerprint: 'string', query: 'string', callsPerRequest: 'number', msPerRequest: 'number', requestShare: 'number', callSites: [SAMPLED_CALL_SITE] }],
  }],
  connectionFindings: [{
    kind: 'string', severity: 'string', pool: 'string', callSite: CALL_SITE, route: 'string', message: 'string', suggestion: 'string',
    count: 'number', maxMs: 'number', lastMs: 'number', releasedLate: 'number', firstSeen: 'string', lastSeen: 'string',
  }],
  heldClients: [{ pool: 'string', heldMs: 'number', callSite: CALL_SITE, route: 'string', leaked: 'boolean' }],
  redisCommands: [{ server: 'string', database: 'number', command: 'string', calls: 'number', errors: 'number', p95Ms: 'number' }],
  caches: [{
    name: 'string', layer: 'string', hits: 'number', misses: 'number', stale: 'number', errors: 'number',
    hitRatio: 'number', evictions: 'number', entries: 'number', maxEntries: 'number',
    events: { write_invalidation: 'number', grace_hit: 'number' }, breaker: 'string',
    history: historyOf({ start: 'string', hits: 'number', misses: 'number', stale: 'number', hitRatio: 'number' }),
  }],
  history: {
    since: 'string', minutesKept: 'number', hoursKept: 'number',
    redis: [{ server: 'string', ...historyOf({ start: 'string', calls: 'number', errors: 'number', p95Ms: 'number' }) }],
  },
};

describe('the published report schema', () => {
  const served: unknown = JSON.parse(JSON.stringify(buildReport(sources)));

  it('serves exactly the documented fields, with their JSON types', () => {
    expect(shape(served)).toEqual(SCHEMA);
  });

  it('serves them in the documented order', () => {
    expect(JSON.stringify(shape(served))).toBe(JSON.stringify(SCHEMA));
  });

  it('rounds durations to microseconds and ratios to three decimals', () => {
    const report = buildReport(sources);
    expect(report.queries.top[0].totalMs).toBe(2424.243);
    expect(report.queries.p95Ms).toBe(3.412);
    expect(report.caches[0].hitRatio).toBe(0.75);
    expect(report.queries.top[0].history.minutes[0]).toEqual({ start: '2026-11-27T11:20:00.000Z', calls: 4, totalMs: 2424.243, p95Ms: 12.346, rows: 0, errors: 1 });
    expect(report.pools[0].history.minutes[0]).toEqual({ start: '2026-11-27T11:20:00.000Z', checkouts: 5, waitP95Ms: 12.346, peakUsed: 1, peakPending: 0 });
    expect(report.caches[0].history.hours[0]).toEqual({ start: '2026-11-27T11:00:00.000Z', hits: 3, misses: 1, stale: 0, hitRatio: 0.75 });
    expect(report.history).toMatchObject({ since: '2026-11-27T10:20:00.000Z', minutesKept: 60, hoursKept: 24 });
  });

  it('gives a route its statements and database time per request, and a statement its routes', () => {
    const report = buildReport(sources);
    expect(report.routes[0]).toMatchObject({ route: 'GET /customers/:id/orders', requests: 4, statementsPerRequest: 12, dbMsPerRequest: 120.031 });
    expect(report.routes[0].statements[0]).toMatchObject({ query: 'SELECT id FROM orders WHERE note = $1', callsPerRequest: 12, msPerRequest: 120.031, requestShare: 1 });
    expect(report.queries.top[0].routes).toEqual([{ route: 'GET /customers/:id/orders', requests: 4, callsPerRequest: 12, msPerRequest: 120.031 }]);
    expect(report.heldClients[0].heldMs).toBe(12345.679);
    expect(report.connectionFindings[0].message).toContain('src/orders.js:42 on GET /leak');
  });

  it('gives a suggestion the time its statements took per hour and their share of all statement time', () => {
    const [suggestion] = buildReport(sources).indexSuggestions;
    // 2,424.2431 ms in the one minute since the start: 145,454.586 ms per hour; 2,426.2431 ms of statements in all.
    expect(suggestion.msPerHour).toBe(145454.586);
    expect(suggestion.statements[0].msPerHour).toBe(145454.586);
    expect(suggestion.timeShare).toBe(0.999);
    expect(suggestion).toMatchObject({ verified: true, costBefore: 1887, costAfter: 8.31 });
  });
});
