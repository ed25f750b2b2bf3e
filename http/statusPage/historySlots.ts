/**
 * The report's history buckets laid out on a fixed time axis: one slot per
 * minute of the last hour (or hour of the last day) ending with the bucket
 * open when the report was built, empty where the report left a bucket out.
 */
import type { QuerylensReport } from '../../report/reportModel';
import type { SlotValues } from './svgChart';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

export interface TimeAxis {
  /** ms since epoch at which each slot starts, oldest first. */
  readonly starts: readonly number[];
  /** `HH:MM` (UTC) of each slot. */
  readonly labels: readonly string[];
}

function axis(endMs: number, unitMs: number, count: number): TimeAxis {
  const last = Math.floor(endMs / unitMs) * unitMs;
  const starts = Array.from({ length: count }, (_, i) => last - (count - 1 - i) * unitMs);
  return { starts, labels: starts.map((start) => new Date(start).toISOString().slice(11, 16)) };
}

export function minuteAxis(report: QuerylensReport): TimeAxis {
  return axis(Date.parse(report.generatedAt), MINUTE_MS, report.history.minutesKept);
}

export function hourAxis(report: QuerylensReport): TimeAxis {
  return axis(Date.parse(report.generatedAt), HOUR_MS, report.history.hoursKept);
}

/**
 * `value` of the point starting at each slot. A slot without a point holds
 * `missing`: 0 where a left-out bucket means nothing happened (a pool's use),
 * empty where it means nothing to show (a ratio without lookups, also null).
 */
export function slotValues<Point extends { readonly start: string }>(
  time: TimeAxis, points: readonly Point[], value: (point: Point) => number | null, missing?: number,
): SlotValues {
  const byStart = new Map<number, number | null>(points.map((point) => [Date.parse(point.start), value(point)]));
  return time.starts.map((start) => (byStart.has(start) ? byStart.get(start) ?? undefined : missing));
}
