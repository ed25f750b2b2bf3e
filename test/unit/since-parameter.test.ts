/** The report's `?since=` (http/sinceParameter.ts): epoch milliseconds or an ISO 8601 date-time with a zone, nothing else. */
import { describe, expect, it } from 'vitest';
import { parseSinceParameter } from '../../http/sinceParameter';

const TEN_UTC = Date.UTC(2026, 11, 2, 10, 0, 0);

function sinceMs(value: string): number | undefined {
  const since = parseSinceParameter(value);
  if (!since.ok) throw new Error(since.error);
  return since.sinceMs;
}

describe('parseSinceParameter', () => {
  it('has no since when the parameter is absent or empty', () => {
    expect(parseSinceParameter(null)).toEqual({ ok: true, sinceMs: undefined });
    expect(parseSinceParameter('')).toEqual({ ok: true, sinceMs: undefined });
  });

  it('reads milliseconds since the epoch', () => {
    expect(sinceMs(String(TEN_UTC))).toBe(TEN_UTC);
    expect(sinceMs('0')).toBe(0);
  });

  it('reads a date-time in UTC or at an offset, with or without a fraction', () => {
    expect(sinceMs('2026-12-02T10:00:00Z')).toBe(TEN_UTC);
    expect(sinceMs('2026-12-02T10:00:00.123Z')).toBe(TEN_UTC + 123);
    expect(sinceMs('2026-12-02T10:00:00.5Z')).toBe(TEN_UTC + 500);
    expect(sinceMs('2026-12-02T10:00:00.123456789Z')).toBe(TEN_UTC + 123);
    expect(sinceMs('2026-12-02T11:00:00.123+01:00')).toBe(TEN_UTC + 123);
    expect(sinceMs('2026-12-02T04:30:00-05:30')).toBe(TEN_UTC);
    expect(sinceMs('2026-12-01T23:00:00-11:00')).toBe(TEN_UTC);
    expect(sinceMs('2028-02-29T00:00:00Z')).toBe(Date.UTC(2028, 1, 29));
  });

  it('keeps a year before 100 as written', () => {
    expect(new Date(sinceMs('0050-06-01T00:00:00Z')!).getUTCFullYear()).toBe(50);
  });

  it('refuses a time without a zone, which would be read in the server\'s own zone', () => {
    for (const value of ['2026-12-02T10:00', '2026-12-02T10:00:00', '2026-12-02T10:00:00.123', '2026-12-02']) {
      expect(parseSinceParameter(value).ok, value).toBe(false);
    }
  });

  it('refuses the other formats Date.parse takes', () => {
    const formats = [
      'Wed, 02 Dec 2026 10:00:00 GMT', 'December 2, 2026 10:00 UTC', '2026/12/02 10:00Z', '2026-12-02 10:00:00Z',
      '2026-12-02T10:00Z', '+002026-12-02T10:00:00Z', '2026-12-02T10:00:00+0100', '2026-12-02T10:00:00z', 'yesterday-ish',
      '-1000', '1e12', ' 1796205600000', '1234567890123456',
    ];
    for (const value of formats) expect(parseSinceParameter(value).ok, value).toBe(false);
  });

  it('refuses fields out of range instead of rolling them over', () => {
    const outOfRange = [
      '2026-13-02T10:00:00Z', '2026-00-02T10:00:00Z', '2026-02-30T10:00:00Z', '2027-02-29T00:00:00Z', '2026-12-32T10:00:00Z',
      '2026-12-00T10:00:00Z', '2026-12-02T25:00:00Z', '2026-12-02T24:00:00Z', '2026-12-02T10:60:00Z', '2026-12-02T10:00:60Z',
      '2026-12-02T10:00:00+24:00', '2026-12-02T10:00:00+01:60',
    ];
    for (const value of outOfRange) expect(parseSinceParameter(value).ok, value).toBe(false);
  });

  it('names the value and the forms it accepts', () => {
    const since = parseSinceParameter('2026-12-02T10:00');
    expect(since.ok).toBe(false);
    if (since.ok) return;
    expect(since.error).toContain('since="2026-12-02T10:00"');
    expect(since.error).toContain('milliseconds since the epoch');
    expect(since.error).toContain('ISO 8601 date-time with a zone');
    expect(since.error).toContain('2026-12-02T10:00:00Z');
  });
});
