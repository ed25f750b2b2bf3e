/**
 * Per histogram bucket, the trace and span of a recent slow observation: the
 * exemplar an OpenMetrics scrape shows next to the bucket, so a latency panel
 * can open the trace behind a spike. A bucket keeps one exemplar; a new
 * observation replaces it when it is at least as slow, or once the kept one is
 * older than EXEMPLAR_REFRESH_MS (noticed when an exposition reads them, so
 * recording never reads the clock unless it keeps an exemplar).
 */
import type { SpanContext } from '@opentelemetry/api';

/** The W3C trace-context flag `sampled` (the API's TraceFlags.SAMPLED), named here so capture does not load the API. */
const SAMPLED = 0x01;

export interface Exemplar {
  readonly value: number;
  readonly traceId: string;
  readonly spanId: string;
  /** Epoch milliseconds of the observation. */
  readonly timestampMs: number;
}

/** Longer than a usual scrape interval: each scrape sees a bucket's slowest observation since the last refresh. */
export const EXEMPLAR_REFRESH_MS = 60_000;

export class BucketExemplars {
  /** What an observation must reach to replace the bucket's exemplar; -Infinity when any will do. */
  private readonly floors: Float64Array;
  private readonly kept: (Exemplar | undefined)[];

  constructor(buckets: number) {
    this.floors = new Float64Array(buckets).fill(-Infinity);
    this.kept = new Array<Exemplar | undefined>(buckets).fill(undefined);
  }

  /** Hot path: one comparison unless the observation is kept. An unsampled span's trace is exported nowhere: not kept. */
  offer(bucket: number, value: number, span: SpanContext): void {
    if (value < this.floors[bucket]! || (span.traceFlags & SAMPLED) === 0) return;
    this.floors[bucket] = value;
    this.kept[bucket] = { value, traceId: span.traceId, spanId: span.spanId, timestampMs: Date.now() };
  }

  /** The exemplar of each bucket (or none); those older than the refresh age stay shown until an observation replaces them. */
  read(nowMs: number): readonly (Exemplar | undefined)[] {
    for (let bucket = 0; bucket < this.kept.length; bucket += 1) {
      const exemplar = this.kept[bucket];
      if (exemplar !== undefined && nowMs - exemplar.timestampMs > EXEMPLAR_REFRESH_MS) this.floors[bucket] = -Infinity;
    }
    return [...this.kept];
  }
}
