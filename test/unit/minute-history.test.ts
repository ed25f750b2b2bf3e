/** Time buckets from cumulative counters: minutes of the last hour, hours of the last day, p95 per bucket, peaks, `since`. */
import { describe, expect, it } from 'vitest';
import { LatencyBuckets } from '../../core/latencyBuckets';
import { HOUR_MS, MINUTE_MS, MinuteHistory, NOTHING_COUNTED, historyBytes, type HistoryShape } from '../../core/minuteHistory';
import { QueryStatistics, STATEMENT_HISTORY_SHAPE, type QueryExecution } from '../../recording/queryStatistics';

const T0 = Date.UTC(2026, 11, 2, 10, 0);
const MINUTE0 = T0 / MINUTE_MS;
const COUNTS: HistoryShape = { counters: 2, peaks: 1, latency: true };

/** A source that counts calls, errors and latency, read as the history wants it. */
class Source {
  calls = 0;
  errors = 0;
  readonly latency = new LatencyBuckets();

  run(times: number, durationMs: number, failed = false): void {
    for (let i = 0; i < times; i += 1) {
      this.calls += 1;
      if (failed) this.errors += 1;
      this.latency.record(durationMs);
    }
  }

  reading() {
    return { counters: [this.calls, this.errors], buckets: this.latency.buckets, maxMs: this.latency.maxMs };
  }
}

describe('MinuteHistory', () => {
  it('keeps what each minute counted, with its own p95, and leaves out minutes with nothing', () => {
    const source = new Source();
    const history = new MinuteHistory(COUNTS);
    history.start(MINUTE0, NOTHING_COUNTED);
    source.run(100, 1);
    history.roll(MINUTE0 + 1, source.reading());
    source.run(40, 400, true);
    history.roll(MINUTE0 + 3, source.reading());
    source.run(5, 8);
    const { minutes } = history.window(T0 + 3 * MINUTE_MS + 20_000, source.reading());
    expect(minutes.map((point) => [point.start, point.counters])).toEqual([
      [T0, [100, 0]],
      [T0 + MINUTE_MS, [40, 40]],
      [T0 + 3 * MINUTE_MS, [5, 0]],
    ]);
    expect(minutes[0]!.p95Ms).toBeLessThanOrEqual(1);
    expect(minutes[1]!.p95Ms).toBeGreaterThan(200);
    expect(minutes[1]!.p95Ms).toBeLessThanOrEqual(400);
    // Inside the 8 ms calls' bucket (5, 10]: the cap is the source's maximum so far, 400 ms, not the minute's.
    expect(minutes[2]!.p95Ms).toBeGreaterThan(5);
    expect(minutes[2]!.p95Ms).toBeLessThanOrEqual(10);
  });

  it('sums minutes into hours, keeps 60 minutes and 24 hours, and forgets what is older', () => {
    const source = new Source();
    const history = new MinuteHistory(COUNTS);
    history.start(MINUTE0, NOTHING_COUNTED);
    // One call every minute for 26 hours.
    for (let minute = 0; minute < 26 * 60; minute += 1) {
      history.roll(MINUTE0 + minute, source.reading());
      source.run(1, 2);
    }
    const now = T0 + 26 * HOUR_MS - 1;
    const { minutes, hours } = history.window(now, source.reading());
    expect(minutes).toHaveLength(60);
    expect(minutes[0]!.start).toBe(now + 1 - HOUR_MS);
    expect(minutes.every((point) => point.counters[0] === 1)).toBe(true);
    expect(hours).toHaveLength(24);
    expect(hours[0]!.start).toBe(T0 + 2 * HOUR_MS);
    expect(hours.every((point) => point.counters[0] === 60)).toBe(true);
  });

  it('empties the minutes and hours skipped while nothing was counted', () => {
    const source = new Source();
    const history = new MinuteHistory(COUNTS);
    history.start(MINUTE0, NOTHING_COUNTED);
    source.run(3, 2);
    history.roll(MINUTE0 + 59, source.reading());
    source.run(2, 2);
    // 90 minutes later: the minute ring has gone all the way round.
    history.roll(MINUTE0 + 150, source.reading());
    source.run(1, 2);
    const { minutes, hours } = history.window(T0 + 150 * MINUTE_MS, source.reading());
    expect(minutes.map((point) => point.counters[0])).toEqual([1]);
    expect(hours.map((point) => [point.start, point.counters[0]])).toEqual([[T0, 5], [T0 + 2 * HOUR_MS, 1]]);
  });

  it('keeps the largest sample of a peak per minute and per hour', () => {
    const history = new MinuteHistory({ counters: 0, peaks: 2, latency: false });
    history.start(MINUTE0, NOTHING_COUNTED);
    for (const [minute, used, waiting] of [[0, 3, 0], [0, 7, 1], [0, 2, 0], [1, 4, 5]] as const) {
      history.roll(MINUTE0 + minute, NOTHING_COUNTED);
      history.sample(0, used);
      history.sample(1, waiting);
    }
    const { minutes, hours } = history.window(T0 + MINUTE_MS, NOTHING_COUNTED);
    expect(minutes.map((point) => point.peaks)).toEqual([[7, 1], [4, 5]]);
    expect(hours.map((point) => point.peaks)).toEqual([[7, 5]]);
  });

  it('leaves out the buckets that ended before `since`', () => {
    const source = new Source();
    const history = new MinuteHistory(COUNTS);
    history.start(MINUTE0, NOTHING_COUNTED);
    for (let minute = 0; minute < 10; minute += 1) {
      history.roll(MINUTE0 + minute, source.reading());
      source.run(minute + 1, 2);
    }
    const { minutes, hours } = history.window(T0 + 9 * MINUTE_MS, source.reading(), T0 + 7 * MINUTE_MS + 30_000);
    expect(minutes.map((point) => point.counters[0])).toEqual([8, 9, 10]);
    expect(hours.map((point) => point.counters[0])).toEqual([55]);
    expect(history.window(T0 + 9 * MINUTE_MS, source.reading(), T0 + HOUR_MS).hours).toEqual([]);
  });

  it('holds a fixed number of bytes: 84 float32 slots and two float64 marks', () => {
    // calls, total, rows, errors + p95 per slot; marks of 4 counters + 17 latency buckets.
    expect(historyBytes(STATEMENT_HISTORY_SHAPE)).toBe(84 * 5 * 4 + 2 * 21 * 8);
  });
});

function execution(fingerprint: string, at: number, durationMs: number, errorCode?: string): QueryExecution {
  return { fingerprint, normalized: `SELECT ${fingerprint}`, operation: 'SELECT', collection: 't', tables: ['t'], durationMs, rows: 2, errorCode, at };
}

describe('QueryStatistics history', () => {
  it('buckets each statement by the minute its executions ended in', () => {
    const statistics = new QueryStatistics(10);
    for (let i = 0; i < 30; i += 1) statistics.record(execution('a', T0 + i * 1000, 3));
    for (let i = 0; i < 10; i += 1) statistics.record(execution('a', T0 + MINUTE_MS + i * 1000, 50, i < 2 ? '57014' : undefined));
    statistics.record(execution('a', T0 + 4 * MINUTE_MS, 1));
    const history = statistics.histories(T0 + 4 * MINUTE_MS + 1)!.get('a')!;
    expect(history.minutes.map((point) => [point.start, point.counters])).toEqual([
      [T0, [30, 90, 60, 0]],
      [T0 + MINUTE_MS, [10, 500, 20, 2]],
      [T0 + 4 * MINUTE_MS, [1, 1, 2, 0]],
    ]);
    expect(history.hours.map((point) => point.counters)).toEqual([[41, 591, 82, 2]]);
    expect(history.minutes[1]!.p95Ms).toBeGreaterThan(20);
    expect(history.minutes[1]!.p95Ms).toBeLessThanOrEqual(50);
  });

  it('starts an entry admitted in place of an evicted one with an empty history', () => {
    const statistics = new QueryStatistics(1);
    for (let i = 0; i < 5; i += 1) statistics.record(execution('old', T0 + i, 2));
    statistics.record(execution('new', T0 + MINUTE_MS, 2));
    const histories = statistics.histories(T0 + MINUTE_MS + 1);
    expect([...histories.keys()]).toEqual(['new']);
    expect(histories.get('new')!.minutes.map((point) => [point.start, point.counters[0]])).toEqual([[T0 + MINUTE_MS, 1]]);
    expect(histories.get('new')!.hours.map((point) => point.counters[0])).toEqual([1]);
  });
});
