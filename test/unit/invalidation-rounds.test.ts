/**
 * The rounds in which write invalidations reach Redis (cache/invalidationRounds.ts),
 * with a `tell` that records what it is given and finishes when the test says.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { InvalidationRounds, ROUND_INTERVAL_MS } from '../../cache/invalidationRounds';
import { agentErrorCount } from '../../core/agentErrors';

function recordingRounds() {
  const told: string[][] = [];
  const toldAt: number[] = [];
  const finish: (() => void)[] = [];
  const tellTag: ((tag: string) => void)[] = [];
  const rounds = new InvalidationRounds((tags, toldOne) => {
    told.push([...tags]);
    toldAt.push(performance.now());
    tellTag.push(toldOne);
    return new Promise<void>((resolve) => finish.push(resolve));
  });
  return { rounds, told, toldAt, finishRound: () => finish.shift()?.(), toldInRound: (tag: string) => tellTag.at(-1)?.(tag) };
}

describe('invalidation rounds', () => {
  it('tells the tags of one tick in one round, a microtask after the first', async () => {
    const { rounds, told } = recordingRounds();
    rounds.add('a');
    rounds.add('b');
    rounds.add('a');
    expect(told).toEqual([]);
    await Promise.resolve();
    expect(told).toEqual([['a', 'b']]);
  });

  it('holds the writes made during a round for the next one, no sooner than the interval', async () => {
    const { rounds, told, toldAt, finishRound } = recordingRounds();
    rounds.add('a');
    await Promise.resolve();
    rounds.add('b');
    rounds.add('c');
    finishRound();
    await sleep(ROUND_INTERVAL_MS / 2);
    expect(told).toEqual([['a']]);
    await sleep(ROUND_INTERVAL_MS);
    expect(told).toEqual([['a'], ['b', 'c']]);
    // The interval runs from the start of the first round to the start of the second (timers may fire a little early in ms).
    expect(toldAt[1]! - toldAt[0]!).toBeGreaterThanOrEqual(ROUND_INTERVAL_MS - 1);
  });

  it('lets a read of a table go on once its part of the round is told, while the rest is still going', async () => {
    const { rounds, toldInRound, finishRound } = recordingRounds();
    rounds.add('small');
    rounds.add('large');
    await Promise.resolve();
    expect(rounds.covering(['small'])).toHaveLength(1);
    toldInRound('small');
    expect(rounds.covering(['small'])).toEqual([]);
    expect(rounds.covering(['large', 'small'])).toHaveLength(1);
    finishRound();
    await sleep(0);
    expect(rounds.covering(['large'])).toEqual([]);
  });

  it('has a read wait for the round telling its tags, and go to the database while one waits for a round', async () => {
    const { rounds, finishRound } = recordingRounds();
    expect(rounds.covering(['a'])).toEqual([]);
    rounds.add('a');
    // Not yet in a round: Redis may still hold the old rows.
    expect(rounds.covering(['a'])).toBeUndefined();
    expect(rounds.covering(['other'])).toEqual([]);
    await Promise.resolve();
    const waits = rounds.covering(['a', 'other']);
    expect(waits).toHaveLength(1);
    rounds.add('b');
    expect(rounds.covering(['b'])).toBeUndefined();
    expect(rounds.covering(['a'])).toHaveLength(1);
    let done = false;
    void Promise.all(waits ?? []).then(() => { done = true; });
    await Promise.resolve();
    expect(done).toBe(false);
    finishRound();
    await sleep(0);
    expect(done).toBe(true);
  });

  it('starts afresh after a quiet interval, and goes on after a round that failed (reported, not thrown)', async () => {
    const errorsBefore = agentErrorCount('tiered-cache');
    const told: string[][] = [];
    const rounds = new InvalidationRounds(async (tags) => {
      told.push([...tags]);
      if (tags.includes('fails')) throw new Error('unexpected');
    });
    rounds.add('fails');
    await sleep(2 * ROUND_INTERVAL_MS);
    expect(agentErrorCount('tiered-cache')).toBe(errorsBefore + 1);
    expect(rounds.covering(['fails'])).toEqual([]);
    const before = performance.now();
    rounds.add('next');
    await Promise.resolve();
    expect(told).toEqual([['fails'], ['next']]);
    expect(performance.now() - before).toBeLessThan(ROUND_INTERVAL_MS);
  });

  it('never asks for a negative sleep when the clock passes the interval between two looks at it', async () => {
    // A fake clock (the race is a few microseconds wide on a real one): each read moves it on by
    // three quarters of the interval, so the look that finds time left is followed by a read past the end.
    let now = performance.now();
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => (now += ROUND_INTERVAL_MS * 0.75));
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => { warnings.push(warning.name); };
    process.on('warning', onWarning);
    try {
      let told = 0;
      const rounds = new InvalidationRounds(() => {
        told += 1;
        return Promise.resolve();
      });
      rounds.add('a');
      await sleep(ROUND_INTERVAL_MS * 2);
      // Node.js emits the warning on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(told).toBe(1);
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      clock.mockRestore();
    }
  });
});
