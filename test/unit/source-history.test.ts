/**
 * The history of what takes no clock read per event: Redis servers, pools
 * and caches close their minutes when the agent's sampler ticks, from their
 * totals; pools also keep the most connections in use and callers waiting
 * among the samples. And the sampler itself: one tick at start, then every
 * interval, an error in one source counted and the others still sampled.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { agentErrorCount } from '../../core/agentErrors';
import { MINUTE_MS, minuteOf } from '../../core/minuteHistory';
import { startHistorySampler } from '../../agent/historySampler';
import { cacheCounters, cacheHistories, sampleCacheHistory } from '../../instrumentations/cacheTelemetry/cacheStatistics';
import { PoolRegistry } from '../../instrumentations/pg/poolRegistry';
import type { PgPoolLike } from '../../instrumentations/pg/types';
import { RedisStatistics } from '../../recording/redisStatistics';

/** The start of the minute after the next: histories created now begin in this minute or the next. */
const T = (minuteOf(Date.now()) + 2) * MINUTE_MS;

describe('Redis history', () => {
  it('buckets calls and errors per server by the minute the sampler closed them in', () => {
    const statistics = new RedisStatistics();
    const a = statistics.tally({ server: 'a:6379', database: 0, operation: 'GET' });
    const a1 = statistics.tally({ server: 'a:6379', database: 1, operation: 'SET' });
    const b = statistics.tally({ server: 'b:6379', database: 0, operation: 'GET' });
    statistics.sampleHistory(T);
    for (let i = 0; i < 6; i += 1) a.settled(0.3, i === 0);
    a1.settled(2, false);
    statistics.sampleHistory(T + 30_000);
    b.settled(1, false);
    statistics.sampleHistory(T + MINUTE_MS + 1000);
    a.settled(0.3, true);
    const histories = statistics.serverHistories(T + MINUTE_MS + 2000);
    const of = (server: string) => histories.find((history) => history.server === server)!.minutes.map((point) => [point.start, point.counters]);
    // Server a: both databases and operations together. b's call came before the sampler's first tick of the next minute: it counts in minute T.
    expect(of('a:6379')).toEqual([[T, [7, 1]], [T + MINUTE_MS, [1, 1]]]);
    expect(of('b:6379')).toEqual([[T, [1, 0]]]);
  });
});

class FakePool extends EventEmitter {
  totalCount = 0;
  idleCount = 0;
  waitingCount = 0;
  readonly ending = false;
  readonly options = { max: 10 };
  connect(): void {}
  newClient(): void {}
  end(): void {}
}

describe('pool history', () => {
  it('keeps checkouts with their wait p95, and the most connections in use and callers waiting per minute', () => {
    const registry = new PoolRegistry();
    const pool = new FakePool();
    const tracked = registry.track(pool as unknown as PgPoolLike, 'orders', { host: 'h', port: 5432, database: 'd' });
    registry.sampleHistory(T);
    for (const [total, idle, waiting] of [[4, 1, 0], [10, 0, 3], [6, 4, 0]] as const) {
      Object.assign(pool, { totalCount: total, idleCount: idle, waitingCount: waiting });
      tracked.waits.record(waiting > 0 ? 40 : 0.2);
      registry.sampleHistory(T + 10_000);
    }
    Object.assign(pool, { totalCount: 2, idleCount: 1, waitingCount: 0 });
    registry.sampleHistory(T + MINUTE_MS);
    const [history] = registry.histories(T + MINUTE_MS + 1);
    expect(history!.name).toBe(tracked.name);
    expect(history!.minutes.map((point) => [point.start, point.counters, point.peaks])).toEqual([[T, [3], [10, 3]], [T + MINUTE_MS, [0], [1, 0]]]);
    expect(history!.minutes[0]!.p95Ms).toBeGreaterThan(20);
  });
});

describe('cache history', () => {
  it('keeps hits, misses and stale reads per minute for each cache name', () => {
    const counters = cacheCounters('ql-hist-unit-cache', 'memory');
    sampleCacheHistory(T);
    const before = [counters.hit, counters.miss, counters.stale];
    counters.count('hit');
    counters.count('hit');
    counters.count('miss');
    sampleCacheHistory(T + MINUTE_MS);
    counters.count('stale');
    const history = cacheHistories(T + MINUTE_MS + 1).find((entry) => entry.name === 'ql-hist-unit-cache')!;
    expect(before).toEqual([0, 0, 0]);
    expect(history.minutes.map((point) => [point.start, point.counters])).toEqual([[T, [2, 1, 0]], [T + MINUTE_MS, [0, 0, 1]]]);
  });
});

describe('history sampler', () => {
  it('samples at once and every interval, counts a failing source and samples the others, and stops', async () => {
    const seen: number[] = [];
    const failuresBefore = agentErrorCount('history-sampler');
    const stop = startHistorySampler({ sample: [() => { throw new Error('boom'); }, (now) => seen.push(now)] }, 20);
    expect(seen).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 110));
    stop();
    const ticks = seen.length;
    expect(ticks).toBeGreaterThanOrEqual(3);
    expect(agentErrorCount('history-sampler') - failuresBefore).toBe(ticks);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(seen).toHaveLength(ticks);
  });
});
