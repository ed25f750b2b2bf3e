import { describe, expect, it } from 'vitest';
import { MAX_ERROR_CODES_PER_QUERY, QueryStatistics, type QueryExecution } from '../../recording/queryStatistics';
import { LATENCY_BUCKET_BOUNDS_MS, quantileFromBuckets } from '../../core/latencyBuckets';

function execution(fingerprint: string, durationMs: number, extra: Partial<QueryExecution> = {}): QueryExecution {
  return {
    fingerprint,
    normalized: `SELECT * FROM t_${fingerprint} WHERE id = $1`,
    operation: 'SELECT',
    collection: `t_${fingerprint}`,
    tables: [`t_${fingerprint}`],
    durationMs,
    rows: 1,
    errorCode: undefined,
    at: 1_000,
    ...extra,
  };
}

describe('QueryStatistics', () => {
  it('counts calls, time, rows, max, first and last seen per fingerprint', () => {
    const stats = new QueryStatistics(10);
    stats.record(execution('a', 2, { at: 100, rows: 3 }));
    stats.record(execution('a', 6, { at: 200, rows: 4 }));
    const a = stats.get('a');
    expect(a).toMatchObject({ calls: 2, totalMs: 8, meanMs: 4, maxMs: 6, rows: 7, firstSeen: 100, lastSeen: 200, operation: 'SELECT', collection: 't_a' });
  });

  it('counts errors by SQLSTATE and folds codes beyond the cap into other', () => {
    const stats = new QueryStatistics(10);
    for (let i = 0; i < 12; i += 1) stats.record(execution('a', 1, { errorCode: `XX${String(i).padStart(3, '0')}` }));
    stats.record(execution('a', 1, { errorCode: '42000' }));
    const a = stats.get('a');
    expect(a?.errors).toBe(13);
    expect(Object.keys(a?.errorsByCode ?? {})).toHaveLength(MAX_ERROR_CODES_PER_QUERY + 1);
    expect(a?.errorsByCode.other).toBeGreaterThan(0);
    expect(Object.values(a?.errorsByCode ?? {}).reduce((sum, n) => sum + n, 0)).toBe(13);
  });

  it('starts a fingerprint that replaces an evicted one from nothing but the inherited weight', () => {
    const stats = new QueryStatistics(1);
    stats.record(execution('a', 900, { at: 100, rows: 5, errorCode: '40001' }));
    stats.record(execution('b', 1, { at: 200, rows: 2 }));
    expect(stats.get('a')).toBeUndefined();
    expect(stats.get('b')).toMatchObject({
      fingerprint: 'b', normalized: 'SELECT * FROM t_b WHERE id = $1', collection: 't_b', tables: ['t_b'],
      calls: 1, totalMs: 1, maxMs: 1, rows: 2, errors: 0, errorsByCode: {}, firstSeen: 200, lastSeen: 200,
    });
    expect(stats.get('b')?.p99Ms).toBeLessThanOrEqual(1);
    expect(stats.other()).toMatchObject({ calls: 1, totalMs: 900, rows: 5, errors: 1, evictions: 1 });
  });

  it('estimates percentiles from the buckets, never above the observed maximum', () => {
    const stats = new QueryStatistics(10);
    for (let i = 1; i <= 100; i += 1) stats.record(execution('a', i));
    const a = stats.get('a');
    expect(a).toBeDefined();
    expect(a!.p50Ms).toBeGreaterThanOrEqual(20);
    expect(a!.p50Ms).toBeLessThanOrEqual(100);
    expect(a!.p95Ms).toBeGreaterThan(a!.p50Ms);
    expect(a!.p99Ms).toBeLessThanOrEqual(a!.maxMs);
    expect(a!.maxMs).toBe(100);
    expect(quantileFromBuckets(new Array(LATENCY_BUCKET_BOUNDS_MS.length + 1).fill(0), 0, 0, 0.5)).toBe(0);
  });

  it('keeps every fingerprint above N/K executions when one-offs flood a full table, and moves evicted totals to other', () => {
    const capacity = 5;
    const hotCalls = 200;
    const oneOffs = 500;
    // Space-saving guarantee: a fingerprint with more than N/K executions is never evicted.
    expect(hotCalls).toBeGreaterThan((2 * hotCalls + oneOffs) / capacity);
    const stats = new QueryStatistics(capacity);
    for (let round = 0; round < hotCalls; round += 1) {
      stats.record(execution('hot1', 1));
      stats.record(execution('hot2', 1));
    }
    let recorded = 2 * hotCalls;
    for (let i = 0; i < oneOffs; i += 1) {
      stats.record(execution(`cold${i}`, 1));
      recorded += 1;
    }
    const top = stats.top();
    expect(top).toHaveLength(capacity);
    expect(top.map((q) => q.fingerprint)).toEqual(expect.arrayContaining(['hot1', 'hot2']));
    expect(stats.get('hot1')?.calls).toBe(hotCalls);
    const other = stats.other();
    expect(other.evictions).toBe(oneOffs - (capacity - 2));
    // Totals are conserved: every execution is in exactly one entry or in other.
    const inTop = top.reduce((sum, q) => sum + q.calls, 0);
    expect(inTop + other.calls).toBe(recorded);
  });

  it('orders the top-K by total time and forgets everything on reset', () => {
    const stats = new QueryStatistics(3);
    stats.record(execution('fast', 1));
    stats.record(execution('slow', 50));
    expect(stats.top().map((q) => q.fingerprint)).toEqual(['slow', 'fast']);
    stats.reset();
    expect(stats.top()).toEqual([]);
    expect(stats.other().calls).toBe(0);
  });
});
