import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { epochMsAt, monotonicMs } from '../../core/monotonicClock';

describe('monotonicMs', () => {
  it('counts milliseconds as performance.now() does, with sub-millisecond steps', async () => {
    const ours = monotonicMs();
    const theirs = performance.now();
    await sleep(30);
    const ourElapsed = monotonicMs() - ours;
    const theirElapsed = performance.now() - theirs;
    expect(ourElapsed).toBeGreaterThanOrEqual(29);
    expect(Math.abs(ourElapsed - theirElapsed)).toBeLessThan(2);
    const a = monotonicMs();
    const b = monotonicMs();
    expect(b).toBeGreaterThanOrEqual(a);
    expect(b - a).toBeLessThan(1);
    expect(Number.isInteger(a) && Number.isInteger(b)).toBe(false);
  });

  it('turns a reading into epoch milliseconds', () => {
    const before = Date.now();
    const epoch = epochMsAt(monotonicMs());
    const after = Date.now();
    expect(epoch).toBeGreaterThanOrEqual(before - 2);
    expect(epoch).toBeLessThanOrEqual(after + 2);
  });
});
