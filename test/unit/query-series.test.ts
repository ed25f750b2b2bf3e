import { describe, expect, it } from 'vitest';
import { QuerySeries } from '../../recording/querySeries';
import { OTHER, QueryStatistics, type QueryExecution } from '../../recording/queryStatistics';

function execution(fingerprint: string): QueryExecution {
  return { fingerprint, normalized: `SELECT ${fingerprint}`, operation: 'SELECT', collection: 't', tables: ['t'], durationMs: 2, rows: 1, errorCode: undefined, at: 0 };
}

function setup(capacity: number, maxSeries: number) {
  const series = new QuerySeries(maxSeries, 200);
  const statistics = new QueryStatistics(capacity, (evicted) => series.retire(evicted));
  const record = (fingerprint: string, times = 1) => { for (let i = 0; i < times; i += 1) statistics.record(execution(fingerprint)); };
  const scrape = () => {
    const points = series.points(statistics.top());
    return { values: new Map(points.series.map((p) => [p.fingerprint, p.calls])), other: points.other.calls };
  };
  return { series, statistics, record, scrape };
}

describe('QuerySeries', () => {
  it('labels fingerprints that repeat, leaves one-offs unlabelled', () => {
    const { record, scrape } = setup(10, 10);
    record('hot', 3);
    record('once');
    expect([...scrape().values.entries()]).toEqual([['hot', 3]]);
  });

  it('keeps a labelled series after eviction and continues it on return, never decreasing', () => {
    const { record, scrape } = setup(2, 10);
    record('a', 2);
    expect(scrape().values.get('a')).toBe(2);
    // Enough newcomers to push 'a' out of a top-2 table.
    for (let i = 0; i < 6; i += 1) record(`n${i}`);
    const afterEviction = scrape();
    expect(afterEviction.values.get('a')).toBe(2);
    record('a', 3);
    expect(scrape().values.get('a')).toBe(5);
  });

  it('counts retired unlabelled executions under other exactly once', () => {
    const { record, scrape, statistics } = setup(2, 10);
    for (let i = 0; i < 7; i += 1) record(`one-off-${i}`);
    const { other, values } = scrape();
    const resident = statistics.top().reduce((sum, q) => sum + q.calls, 0);
    expect(values.size).toBe(0);
    expect(other).toBe(7 - resident);
  });

  it('is bounded: beyond maxSeries new fingerprints stay under other', () => {
    const { record, scrape, series, statistics } = setup(10, 2);
    for (const fingerprint of ['a', 'b', 'c']) record(fingerprint, 2);
    const { values } = scrape();
    expect(values.size).toBe(2);
    expect(series.labelFor(statistics.get('c'))).toBe(OTHER);
    expect(series.labelFor(statistics.get('a'))).toBe('a');
    expect(series.labelFor(undefined)).toBe(OTHER);
  });
});
