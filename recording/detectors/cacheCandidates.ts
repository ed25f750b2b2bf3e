/**
 * Cache candidates: read-only statements without volatile functions whose
 * parameter sets repeat. Per fingerprint we keep a bounded sample of hashes
 * of the parameter sets (never the values). An execution whose hash is
 * already in the sample would have been a cache hit, so
 *   estimated hit rate = repeats / calls,
 *   estimated time saved = repeats × mean duration.
 * When the sample is full, unseen parameter sets are not added: a later
 * repeat of one of them counts as a miss, so the estimate errs low.
 * Hashing the values costs more than anything else the recorder does per
 * execution, so after the first FULLY_SAMPLED_CALLS executions of a statement
 * only one in SAMPLE_EVERY is hashed (`wantsSample`); the hit rate is then
 * repeats / sampled executions, applied to all calls. At one in 8 the hashing
 * alone cost about 1.5% of the instructions of a trivial pooled query
 * (bench/README.md); a hot statement still gets thousands of samples.
 */
import { LruMap } from '../../core/lruMap';
import type { RuntimeRuleId } from '../../sql/catalogue/runtimeRules';

export const CACHE_CANDIDATE_RULE: RuntimeRuleId = 'cache-candidate';

export const FULLY_SAMPLED_CALLS = 256;
export const SAMPLE_EVERY = 32;

export interface CacheCandidateOptions {
  /** Fingerprints tracked at once (default 500). */
  readonly maxFingerprints?: number;
  /** Distinct parameter-set hashes remembered per fingerprint (default 256). */
  readonly sampleSize?: number;
}

export interface CacheableExecution {
  readonly fingerprint: string;
  readonly normalized: string;
  /** The tables it reads (the analysis's own array, kept by reference). */
  readonly tables: readonly string[];
  readonly readOnly: boolean;
  readonly hasVolatileFunctions: boolean;
  /** Hash of the text and its parameter values; undefined when not sampled or not hashable. */
  readonly parameterHash: string | undefined;
  readonly durationMs: number;
  readonly errored: boolean;
}

export interface CacheCandidate {
  readonly fingerprint: string;
  readonly normalized: string;
  readonly tables: readonly string[];
  readonly calls: number;
  readonly repeats: number;
  readonly distinctParameterSets: number;
  readonly sampleFull: boolean;
  readonly estimatedHitRate: number;
  readonly meanMs: number;
  readonly estimatedTimeSavedMs: number;
}

export interface CandidateSelection {
  /** How many to return (default 10). */
  readonly limit?: number;
  /** Fewer calls than this are not "frequent" (default 20). */
  readonly minCalls?: number;
  /** Below this estimated hit rate a cache would not pay (default 0.5). */
  readonly minHitRate?: number;
}

interface Tracked {
  readonly normalized: string;
  readonly tables: readonly string[];
  calls: number;
  /** Executions whose parameter hash was taken. */
  sampled: number;
  repeats: number;
  totalMs: number;
  readonly sample: Set<string>;
}

/** Only statements whose result depends on nothing but their text and values can be cached. */
export function isCacheable(execution: Pick<CacheableExecution, 'readOnly' | 'hasVolatileFunctions' | 'errored'>): boolean {
  return execution.readOnly && !execution.hasVolatileFunctions && !execution.errored;
}

export class CacheCandidates {
  private readonly tracked: LruMap<string, Tracked>;
  private readonly sampleSize: number;

  constructor(options: CacheCandidateOptions = {}) {
    this.tracked = new LruMap(options.maxFingerprints ?? 500);
    this.sampleSize = options.sampleSize ?? 256;
  }

  /** Whether the next execution of this statement should carry a parameter hash. */
  wantsSample(fingerprint: string): boolean {
    const tracked = this.tracked.peek(fingerprint);
    return tracked === undefined || tracked.calls < FULLY_SAMPLED_CALLS || tracked.calls % SAMPLE_EVERY === 0;
  }

  observe(execution: CacheableExecution): void {
    if (!isCacheable(execution)) return;
    let tracked = this.tracked.get(execution.fingerprint);
    if (tracked === undefined) {
      tracked = { normalized: execution.normalized, tables: execution.tables, calls: 0, sampled: 0, repeats: 0, totalMs: 0, sample: new Set() };
      this.tracked.set(execution.fingerprint, tracked);
    }
    tracked.calls += 1;
    tracked.totalMs += execution.durationMs;
    if (execution.parameterHash === undefined) return;
    tracked.sampled += 1;
    if (tracked.sample.has(execution.parameterHash)) tracked.repeats += 1;
    else if (tracked.sample.size < this.sampleSize) tracked.sample.add(execution.parameterHash);
  }

  /** The best candidates by estimated time saved. */
  top(selection: CandidateSelection = {}): CacheCandidate[] {
    const minCalls = selection.minCalls ?? 20;
    const minHitRate = selection.minHitRate ?? 0.5;
    const candidates: CacheCandidate[] = [];
    for (const [fingerprint, tracked] of this.tracked.entriesInOrder()) {
      if (tracked.calls < minCalls || tracked.sampled === 0) continue;
      const estimatedHitRate = tracked.repeats / tracked.sampled;
      if (estimatedHitRate < minHitRate) continue;
      const meanMs = tracked.totalMs / tracked.calls;
      candidates.push({
        fingerprint,
        normalized: tracked.normalized,
        tables: tracked.tables,
        calls: tracked.calls,
        repeats: tracked.repeats,
        distinctParameterSets: tracked.sample.size,
        sampleFull: tracked.sample.size >= this.sampleSize,
        estimatedHitRate,
        meanMs,
        estimatedTimeSavedMs: estimatedHitRate * tracked.calls * meanMs,
      });
    }
    return candidates.sort((a, b) => b.estimatedTimeSavedMs - a.estimatedTimeSavedMs).slice(0, selection.limit ?? 10);
  }

  reset(): void {
    this.tracked.clear();
  }
}
