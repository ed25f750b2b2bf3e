/**
 * A request path with what varies per request replaced, for a route that has
 * no framework template: numeric ids by `:id`, UUIDs by `:uuid`, hex hashes
 * and long tokens by `:hash`. The query string and fragment are dropped; so
 * is anything past MAX_SEGMENTS segments. Pure.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER = /^\d+$/;
const HEX = /^[0-9a-f]{8,}$/i;
/** Base64-ish tokens: long, and mixing digits with letters. */
const TOKEN = /^(?=.*\d)(?=.*[a-z])[a-z0-9_=~.+-]{16,}$/i;
export const MAX_SEGMENTS = 8;
const MAX_SEGMENT_CHARS = 64;

function normalizedSegment(segment: string): string {
  if (segment === '') return segment;
  if (NUMBER.test(segment)) return ':id';
  if (UUID.test(segment)) return ':uuid';
  if (HEX.test(segment) || TOKEN.test(segment) || segment.length > MAX_SEGMENT_CHARS) return ':hash';
  return segment;
}

export function normalizeRoutePath(url: string): string {
  const end = url.search(/[?#]/);
  const path = end === -1 ? url : url.slice(0, end);
  const segments = path.split('/');
  const kept = segments.slice(0, MAX_SEGMENTS + 1).map(normalizedSegment);
  const normalized = kept.join('/') + (segments.length > MAX_SEGMENTS + 1 ? '/…' : '');
  return normalized.startsWith('/') ? normalized : `/${normalized}`;
}
