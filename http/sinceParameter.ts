/**
 * The report's `?since=`: an ISO 8601 time (`2026-12-02T10:00:00Z`) or
 * milliseconds since the epoch. It limits the history to the buckets that end
 * after it; everything else in the report is as without it.
 */
export type SinceParameter = { readonly ok: true; readonly sinceMs: number | undefined } | { readonly ok: false; readonly error: string };

export function parseSinceParameter(value: string | null): SinceParameter {
  if (value === null || value === '') return { ok: true, sinceMs: undefined };
  const sinceMs = /^\d{1,15}$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(sinceMs)) {
    return { ok: false, error: `since=${JSON.stringify(value.slice(0, 64))} is neither an ISO 8601 time nor milliseconds since the epoch` };
  }
  return { ok: true, sinceMs };
}
