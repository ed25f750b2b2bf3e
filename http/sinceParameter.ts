/**
 * The report's `?since=`: milliseconds since the epoch (`1796205600000`) or an
 * ISO 8601 date-time with its zone (`2026-12-02T10:00:00Z`,
 * `2026-12-02T10:00:00.123+01:00`). It limits the history to the buckets that
 * end after it; everything else in the report is as without it.
 *
 * Strict on purpose: `Date.parse` also takes zone-less times (read in the
 * server's zone, or as UTC for a date alone) and engine-specific formats, so
 * the same URL would mean different instants on different servers.
 */
export type SinceParameter = { readonly ok: true; readonly sinceMs: number | undefined } | { readonly ok: false; readonly error: string };

const EPOCH_MS = /^\d{1,15}$/;
// Seconds are required and the fraction is cut to milliseconds (what a Date holds).
const ZONED_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

export function parseSinceParameter(value: string | null): SinceParameter {
  if (value === null || value === '') return { ok: true, sinceMs: undefined };
  const sinceMs = EPOCH_MS.test(value) ? Number(value) : zonedDateTimeMs(value);
  if (sinceMs === undefined) {
    return {
      ok: false,
      error: `since=${JSON.stringify(value.slice(0, 64))} is neither milliseconds since the epoch nor an ISO 8601 date-time with a zone `
        + '(2026-12-02T10:00:00Z, 2026-12-02T10:00:00.123+01:00; a + in a URL is written %2B)',
    };
  }
  return { ok: true, sinceMs };
}

/** The instant of `2026-12-02T10:00:00.123+01:00`, undefined unless every field is in range. */
function zonedDateTimeMs(value: string): number | undefined {
  const match = ZONED_DATE_TIME.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const millisecond = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offsetMinutes = match[8] === undefined ? 0 : zoneOffsetMinutes(match[8], Number(match[9]), Number(match[10]));
  if (offsetMinutes === undefined || hour > 23 || minute > 59 || second > 59) return undefined;
  // setUTCFullYear, unlike Date.UTC, keeps years 0 to 99 as they are.
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, millisecond);
  // A Date rolls month 13 or February 30 over into the next month or year: a changed field means out of range.
  if (utc.getUTCMonth() !== month - 1 || utc.getUTCDate() !== day) return undefined;
  return utc.getTime() - offsetMinutes * 60_000;
}

/** `+01:00` as 60, `-05:30` as -330; undefined past ±23:59. */
function zoneOffsetMinutes(sign: string, hours: number, minutes: number): number | undefined {
  if (hours > 23 || minutes > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (hours * 60 + minutes);
}
