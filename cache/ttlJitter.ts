/**
 * TTL with jitter: entries written together (a warm-up, a deploy) do not all
 * expire in the same instant and stampede the database. The jitter only
 * shortens the TTL, so `ttlMs` stays an upper bound on staleness.
 */
export function jitteredTtl(ttlMs: number, jitter: number, random: () => number = Math.random): number {
  return Math.max(1, Math.round(ttlMs * (1 - jitter * random())));
}
