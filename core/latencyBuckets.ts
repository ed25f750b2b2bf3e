/**
 * Latency distribution in fixed buckets: constant memory however many
 * observations, percentiles interpolated inside a bucket and never above the
 * observed maximum. Shared by per-statement statistics and pool wait times.
 */

/** Upper bounds in milliseconds; a last implicit bucket holds everything slower. */
export const LATENCY_BUCKET_BOUNDS_MS = [
  0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000,
] as const;

export function bucketIndex(durationMs: number): number {
  const bounds = LATENCY_BUCKET_BOUNDS_MS;
  for (let i = 0; i < bounds.length; i += 1) if (durationMs <= bounds[i]!) return i;
  return bounds.length;
}

/** Quantile estimate from bucket counts: linear inside the bucket, never above the observed maximum. */
export function quantileFromBuckets(buckets: readonly number[], calls: number, maxMs: number, q: number): number {
  if (calls === 0) return 0;
  const rank = q * calls;
  let cumulative = 0;
  for (let i = 0; i < buckets.length; i += 1) {
    const count = buckets[i]!;
    if (count > 0 && cumulative + count >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BUCKET_BOUNDS_MS[i - 1]!;
      const upper = i < LATENCY_BUCKET_BOUNDS_MS.length ? LATENCY_BUCKET_BOUNDS_MS[i]! : maxMs;
      const estimate = lower + ((upper - lower) * (rank - cumulative)) / count;
      return Math.min(estimate, maxMs);
    }
    cumulative += count;
  }
  return maxMs;
}

export function emptyBuckets(): number[] {
  return new Array<number>(LATENCY_BUCKET_BOUNDS_MS.length + 1).fill(0);
}

/** One distribution: count, maximum and buckets. */
export class LatencyBuckets {
  readonly buckets = emptyBuckets();
  count = 0;
  maxMs = 0;

  record(durationMs: number): void {
    this.buckets[bucketIndex(durationMs)]! += 1;
    this.count += 1;
    if (durationMs > this.maxMs) this.maxMs = durationMs;
  }

  quantile(q: number): number {
    return quantileFromBuckets(this.buckets, this.count, this.maxMs, q);
  }
}
