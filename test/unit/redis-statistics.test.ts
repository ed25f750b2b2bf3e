/**
 * Recording's Redis statistics: one tally per (server, database, operation),
 * the report's summaries from them, and a fixed bound on how many it keeps.
 */
import { describe, expect, it } from 'vitest';
import { RedisStatistics } from '../../recording/redisStatistics';

const get = { server: 'localhost:6379', database: 0, operation: 'GET' };

describe('RedisStatistics', () => {
  it('hands out one tally per operation and sums its calls, failures and p95', () => {
    const statistics = new RedisStatistics();
    const tally = statistics.tally(get);
    expect(statistics.tally({ ...get })).toBe(tally);
    for (let i = 0; i < 19; i += 1) tally.settled(0.2, false);
    tally.settled(40, true);
    statistics.tally({ ...get, operation: 'SET' }).settled(1, false);
    statistics.tally({ ...get, database: 1 }).settled(1, false);
    const summaries = statistics.summaries();
    expect(summaries[0]).toMatchObject({ server: 'localhost:6379', database: 0, command: 'GET', calls: 20, errors: 1 });
    expect(summaries[0].p95Ms).toBeGreaterThan(0.1);
    expect(summaries[0].p95Ms).toBeLessThan(1);
    expect(summaries.slice(1).map((row) => [row.command, row.database, row.calls])).toEqual([['SET', 0, 1], ['GET', 1, 1]]);
  });

  it('leaves operations never called out of the summaries', () => {
    const statistics = new RedisStatistics();
    statistics.tally(get);
    expect(statistics.summaries()).toEqual([]);
  });

  it('keeps at most 64 × 256 operations and drops calls of any beyond', () => {
    const statistics = new RedisStatistics();
    for (let i = 0; i < 64 * 256; i += 1) statistics.tally({ server: `host${i}:6379`, database: 0, operation: 'GET' }).settled(1, false);
    statistics.tally({ server: 'late:6379', database: 0, operation: 'GET' }).settled(1, false);
    const summaries = statistics.summaries();
    expect(summaries).toHaveLength(64 * 256);
    expect(summaries.some((row) => row.server === 'late:6379')).toBe(false);
  });
});
