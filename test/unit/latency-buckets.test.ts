import { describe, expect, it } from 'vitest';
import { LatencyBuckets } from '../../core/latencyBuckets';

describe('LatencyBuckets', () => {
  it('estimates percentiles inside the bucket, never above the maximum', () => {
    const waits = new LatencyBuckets();
    expect(waits.quantile(0.95)).toBe(0);
    for (let i = 0; i < 95; i += 1) waits.record(0.3);
    for (let i = 0; i < 5; i += 1) waits.record(40);
    expect(waits.count).toBe(100);
    expect(waits.maxMs).toBe(40);
    // 95 of 100 at or under 0.5 ms: p95 sits at the top of the first bucket.
    expect(waits.quantile(0.95)).toBeCloseTo(0.5, 5);
    // The slow tail is in the (20, 50] bucket, capped by the observed 40 ms.
    expect(waits.quantile(0.99)).toBeGreaterThan(20);
    expect(waits.quantile(0.99)).toBeLessThanOrEqual(40);
  });
});
