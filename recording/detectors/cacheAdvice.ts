/**
 * What the cache-candidate finding recommends for one candidate: a TTL
 * from the observed write rate of the tables it reads, whether write-driven
 * invalidation (`cache.query`) would cover it, and the code to cache it.
 * Pure.
 */
import type { WriteRates } from '../tableWriteRates';

export interface CacheAdvice {
  /** Writes per minute this service made to the tables the statement reads. */
  readonly tableWritesPerMinute: number;
  /**
   * True when every write of this service that the agent saw was attributed to its tables, so
   * `cache.query` would drop the entry on each; writes by other services are invisible to the
   * agent, and the TTL is their bound.
   */
  readonly coveredByWriteInvalidation: boolean;
  readonly recommendedTtlMs: number;
  /** A `cache.query` call that caches it. */
  readonly code: string;
}

/** Without write-driven invalidation, no longer than this; with it, this bounds only writes the agent cannot see. */
export const MAX_RECOMMENDED_TTL_MS = 300_000;
export const MIN_RECOMMENDED_TTL_MS = 1_000;
/** When nothing is seen writing its tables: they may be written elsewhere, so a moderate bound. */
export const UNSEEN_WRITES_TTL_MS = 60_000;

function clamp(ms: number): number {
  return Math.round(Math.min(MAX_RECOMMENDED_TTL_MS, Math.max(MIN_RECOMMENDED_TTL_MS, ms)));
}

/**
 * Covered: the longest TTL (invalidation keeps it fresh). Not covered, with writes seen: half
 * the mean interval between writes of its tables, so an entry usually dies before the next
 * write. Nothing written as far as the agent sees: a moderate bound for writers it cannot see.
 */
export function recommendedTtlMs(rates: WriteRates, covered: boolean): number {
  if (covered && rates.tablesPerMinute > 0) return MAX_RECOMMENDED_TTL_MS;
  if (rates.tablesPerMinute > 0) return clamp(60_000 / rates.tablesPerMinute / 2);
  return UNSEEN_WRITES_TTL_MS;
}

function cacheCode(normalized: string, parameters: number, ttlMs: number): string {
  const values = parameters === 0 ? '' : `, [${Array.from({ length: parameters }, (_, i) => `$${i + 1}`).join(', ')}]`;
  return `await cache.query(pool, ${JSON.stringify(normalized)}${values}, { ttlMs: ${ttlMs} })`;
}

/** The highest `$n` of a normalized text: how many values the call passes. */
function parameterCount(normalized: string): number {
  let highest = 0;
  for (const match of normalized.matchAll(/\$(\d+)/g)) highest = Math.max(highest, Number(match[1]));
  return highest;
}

export function cacheAdvice(normalized: string, rates: WriteRates): CacheAdvice {
  const covered = rates.unattributedPerMinute === 0;
  const ttlMs = recommendedTtlMs(rates, covered);
  return {
    tableWritesPerMinute: rates.tablesPerMinute,
    coveredByWriteInvalidation: covered,
    recommendedTtlMs: ttlMs,
    code: cacheCode(normalized, parameterCount(normalized), ttlMs),
  };
}
