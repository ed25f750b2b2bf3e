/**
 * Time buckets of a source's counters: per minute for the last hour, then
 * per hour for the last day (what "when did this get slow" needs, in a size
 * fixed up front).
 *
 * The source keeps its counters as it always did, as totals since it started.
 * When a minute ends, `roll` stores the difference since the previous
 * boundary, so an event costs nothing here: the owner calls `roll` when it
 * sees a new minute (from a clock read it already has) or when it is read.
 * Latency buckets are differenced the same way, which gives each minute and
 * hour its own 95th percentile. Peaks are gauges sampled by the owner (pool
 * connections in use), kept as the largest sample of the minute and hour.
 *
 * Memory: (60 + 24) slots × (counters + peaks + 1) float32 values, and two
 * float64 marks of (counters + latency buckets): see `historyBytes`.
 */
import { emptyBuckets, quantileFromBuckets } from './latencyBuckets';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const MINUTES_KEPT = 60;
export const HOURS_KEPT = 24;
const MINUTES_PER_HOUR = HOUR_MS / MINUTE_MS;
const LATENCY_VALUES = emptyBuckets().length;

export interface HistoryShape {
  /** Cumulative counters, differenced per bucket. */
  readonly counters: number;
  /** Sampled gauges, kept as the largest sample per bucket. */
  readonly peaks: number;
  /** Whether the source keeps latency buckets (a p95 per bucket). */
  readonly latency: boolean;
}

/** What the source has counted since it started, read at a boundary. */
export interface CumulativeReading {
  readonly counters: readonly number[];
  /** Cumulative latency buckets (core/latencyBuckets.ts), when the shape has latency. */
  readonly buckets?: readonly number[];
  /** The largest duration seen, which caps the slowest bucket's estimate. */
  readonly maxMs?: number;
}

/** A source that has counted nothing yet: where a new source's history starts. */
export const NOTHING_COUNTED: CumulativeReading = { counters: [] };

export interface HistoryPoint {
  /** ms since epoch at which the bucket starts. */
  readonly start: number;
  readonly counters: readonly number[];
  readonly peaks: readonly number[];
  /** 95th percentile of the bucket's durations; 0 without latency or calls. */
  readonly p95Ms: number;
}

export interface HistoryWindow {
  readonly minutes: readonly HistoryPoint[];
  readonly hours: readonly HistoryPoint[];
}

export function minuteOf(ms: number): number {
  return Math.floor(ms / MINUTE_MS);
}

/** Bytes one history of `shape` holds in its typed arrays (object headers aside). */
export function historyBytes(shape: HistoryShape): number {
  const slotValues = shape.counters + shape.peaks + 1;
  const markValues = shape.counters + (shape.latency ? LATENCY_VALUES : 0);
  return (MINUTES_KEPT + HOURS_KEPT) * slotValues * 4 + (2 * markValues + 2 * shape.peaks) * 8;
}

/** One resolution: a ring of closed buckets and the mark where the open one began. */
class Tier {
  readonly slots: Float32Array;
  readonly mark: Float64Array;
  readonly peaks: Float64Array;
  /** Index (since epoch, in this tier's unit) of the open bucket; -1 before the first. */
  index = -1;

  constructor(readonly kept: number, readonly unitMs: number, private readonly shape: HistoryShape, private readonly width: number) {
    this.slots = new Float32Array(kept * width);
    this.mark = new Float64Array(shape.counters + (shape.latency ? LATENCY_VALUES : 0));
    this.peaks = new Float64Array(shape.peaks);
  }

  start(index: number, reading: CumulativeReading): void {
    this.slots.fill(0);
    this.index = index;
    this.markAt(reading);
  }

  /** Closes the open bucket with `reading` and opens `index`; buckets in between stay empty. */
  advance(index: number, reading: CumulativeReading): void {
    const closed = this.index;
    this.writeSlot(closed % this.kept, reading);
    for (let skipped = Math.max(closed + 1, index - this.kept + 1); skipped < index; skipped += 1) this.clearSlot(skipped % this.kept);
    this.index = index;
    this.markAt(reading);
  }

  sample(peak: number, value: number): void {
    if (value > this.peaks[peak]!) this.peaks[peak] = value;
  }

  /** Closed buckets of the window with anything counted, oldest first, then the open one read from `reading`. */
  points(reading: CumulativeReading, sinceMs: number): HistoryPoint[] {
    const points: HistoryPoint[] = [];
    for (let index = this.index - this.kept + 1; index < this.index; index += 1) {
      if ((index + 1) * this.unitMs <= sinceMs) continue;
      const point = this.slotPoint(index);
      if (point !== undefined) points.push(point);
    }
    if ((this.index + 1) * this.unitMs > sinceMs) {
      const open = this.openPoint(reading);
      if (open !== undefined) points.push(open);
    }
    return points;
  }

  private markAt(reading: CumulativeReading): void {
    const { counters } = this.shape;
    for (let i = 0; i < counters; i += 1) this.mark[i] = reading.counters[i] ?? 0;
    if (this.shape.latency) for (let i = 0; i < LATENCY_VALUES; i += 1) this.mark[counters + i] = reading.buckets?.[i] ?? 0;
    this.peaks.fill(0);
  }

  private deltas(reading: CumulativeReading): { counters: number[]; p95Ms: number } {
    const { counters: count } = this.shape;
    const counters: number[] = [];
    for (let i = 0; i < count; i += 1) counters.push((reading.counters[i] ?? 0) - this.mark[i]!);
    if (!this.shape.latency) return { counters, p95Ms: 0 };
    const buckets: number[] = [];
    let calls = 0;
    for (let i = 0; i < LATENCY_VALUES; i += 1) {
      const delta = (reading.buckets?.[i] ?? 0) - this.mark[count + i]!;
      buckets.push(delta);
      calls += delta;
    }
    return { counters, p95Ms: quantileFromBuckets(buckets, calls, reading.maxMs ?? Number.POSITIVE_INFINITY, 0.95) };
  }

  private writeSlot(slot: number, reading: CumulativeReading): void {
    const { counters, p95Ms } = this.deltas(reading);
    const base = slot * this.width;
    counters.forEach((value, i) => { this.slots[base + i] = value; });
    for (let i = 0; i < this.shape.peaks; i += 1) this.slots[base + counters.length + i] = this.peaks[i]!;
    this.slots[base + this.width - 1] = p95Ms;
  }

  private clearSlot(slot: number): void {
    this.slots.fill(0, slot * this.width, (slot + 1) * this.width);
  }

  private slotPoint(index: number): HistoryPoint | undefined {
    const base = (index % this.kept) * this.width;
    const values = Array.from(this.slots.subarray(base, base + this.width));
    if (values.every((value) => value === 0)) return undefined;
    const { counters } = this.shape;
    return { start: index * this.unitMs, counters: values.slice(0, counters), peaks: values.slice(counters, counters + this.shape.peaks), p95Ms: values[this.width - 1]! };
  }

  private openPoint(reading: CumulativeReading): HistoryPoint | undefined {
    const { counters, p95Ms } = this.deltas(reading);
    const peaks = Array.from(this.peaks);
    if (counters.every((value) => value === 0) && peaks.every((value) => value === 0)) return undefined;
    return { start: this.index * this.unitMs, counters, peaks, p95Ms };
  }
}

export class MinuteHistory {
  private readonly minutes: Tier;
  private readonly hours: Tier;

  constructor(shape: HistoryShape) {
    const width = shape.counters + shape.peaks + 1;
    this.minutes = new Tier(MINUTES_KEPT, MINUTE_MS, shape, width);
    this.hours = new Tier(HOURS_KEPT, HOUR_MS, shape, width);
  }

  /** The minute (since epoch) the open bucket belongs to; -1 before `start`. */
  get minute(): number {
    return this.minutes.index;
  }

  /** Starts over at `minute` from `reading` (a new source, or one reused or reset). */
  start(minute: number, reading: CumulativeReading): void {
    this.minutes.start(minute, reading);
    this.hours.start(Math.floor(minute / MINUTES_PER_HOUR), reading);
  }

  /** Closes the buckets that ended before `minute`, with `reading` taken now; earlier minutes are ignored. */
  roll(minute: number, reading: CumulativeReading): void {
    if (this.minutes.index < 0) {
      this.start(minute, reading);
      return;
    }
    if (minute <= this.minutes.index) return;
    this.minutes.advance(minute, reading);
    const hour = Math.floor(minute / MINUTES_PER_HOUR);
    if (hour > this.hours.index) this.hours.advance(hour, reading);
  }

  /** A gauge's value now: the minute and the hour keep their largest. */
  sample(peak: number, value: number): void {
    this.minutes.sample(peak, value);
    this.hours.sample(peak, value);
  }

  /** Buckets with anything counted that end after `sinceMs`, oldest first; rolls to `nowMs` first. */
  window(nowMs: number, reading: CumulativeReading, sinceMs = Number.NEGATIVE_INFINITY): HistoryWindow {
    this.roll(minuteOf(nowMs), reading);
    return { minutes: this.minutes.points(reading, sinceMs), hours: this.hours.points(reading, sinceMs) };
  }
}
