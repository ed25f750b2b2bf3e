/** The cache-candidate finding's advice: write rates of the tables read, TTL, coverage, and the code. */
import { describe, expect, it } from 'vitest';
import { cacheAdvice, MAX_RECOMMENDED_TTL_MS, UNSEEN_WRITES_TTL_MS } from '../../recording/detectors/cacheAdvice';
import { TableWriteRates } from '../../recording/tableWriteRates';

describe('table write rates', () => {
  it('counts writes per table over at least a minute, public. or not, and unattributed ones apart', () => {
    let now = 0;
    const rates = new TableWriteRates(() => now);
    for (let i = 0; i < 30; i += 1) rates.observe(['public.orders']);
    rates.observe(['users', 'orders']);
    rates.observe([]);
    now = 10_000;
    expect(rates.rates(['orders'])).toEqual({ tablesPerMinute: 31, unattributedPerMinute: 0 });
    now = 120_000;
    rates.observe('unknown');
    expect(rates.rates(['orders', 'users'])).toEqual({ tablesPerMinute: 16, unattributedPerMinute: 0.5 });
    rates.reset();
    expect(rates.rates(['orders']).tablesPerMinute).toBe(0);
  });
});

describe('cache advice', () => {
  it('covered and written: the longest TTL, since every write invalidates', () => {
    const advice = cacheAdvice('SELECT name FROM users WHERE id = $1 AND team = $2', { tablesPerMinute: 12, unattributedPerMinute: 0 });
    expect(advice).toEqual({
      tableWritesPerMinute: 12,
      coveredByWriteInvalidation: true,
      recommendedTtlMs: MAX_RECOMMENDED_TTL_MS,
      code: `await cache.query(pool, "SELECT name FROM users WHERE id = $1 AND team = $2", [$1, $2], { ttlMs: ${MAX_RECOMMENDED_TTL_MS} })`,
    });
  });

  it('not covered: half the mean interval between writes of its tables, within bounds', () => {
    expect(cacheAdvice('SELECT 1 FROM t', { tablesPerMinute: 6, unattributedPerMinute: 1 })).toMatchObject({ coveredByWriteInvalidation: false, recommendedTtlMs: 5_000 });
    expect(cacheAdvice('SELECT 1 FROM t', { tablesPerMinute: 6000, unattributedPerMinute: 1 }).recommendedTtlMs).toBe(1_000);
  });

  it('nothing written as far as the agent sees: a moderate bound for writers it cannot see', () => {
    const advice = cacheAdvice('SELECT 1 FROM t', { tablesPerMinute: 0, unattributedPerMinute: 0 });
    expect(advice.recommendedTtlMs).toBe(UNSEEN_WRITES_TTL_MS);
    expect(advice.code).toBe(`await cache.query(pool, "SELECT 1 FROM t", { ttlMs: ${UNSEEN_WRITES_TTL_MS} })`);
  });
});
