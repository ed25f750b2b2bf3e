import { describe, expect, it } from 'vitest';
import { CacheCandidates, FULLY_SAMPLED_CALLS, SAMPLE_EVERY, type CacheableExecution } from '../../recording/detectors/cacheCandidates';
import { hashValues } from '../../core/hashing';

function execution(fingerprint: string, values: readonly unknown[], extra: Partial<CacheableExecution> = {}): CacheableExecution {
  return {
    fingerprint,
    normalized: 'SELECT name FROM users WHERE id = $1',
    tables: ['users'],
    readOnly: true,
    hasVolatileFunctions: false,
    parameterHash: hashValues('text', values),
    durationMs: 10,
    errored: false,
    ...extra,
  };
}

describe('CacheCandidates', () => {
  it('estimates hit rate and time saved from repeating parameter sets', () => {
    const candidates = new CacheCandidates();
    const distinct = 5;
    const calls = 100;
    for (let i = 0; i < calls; i += 1) candidates.observe(execution('fp', [i % distinct]));
    const [top] = candidates.top();
    expect(top).toMatchObject({ fingerprint: 'fp', calls, repeats: calls - distinct, distinctParameterSets: distinct });
    expect(top!.estimatedHitRate).toBeCloseTo((calls - distinct) / calls);
    expect(top!.estimatedTimeSavedMs).toBeCloseTo((calls - distinct) * 10);
  });

  it('ignores writes, volatile functions, errors and unhashable values', () => {
    const candidates = new CacheCandidates();
    for (let i = 0; i < 50; i += 1) {
      candidates.observe(execution('write', [1], { readOnly: false }));
      candidates.observe(execution('volatile', [1], { hasVolatileFunctions: true }));
      candidates.observe(execution('failed', [1], { errored: true }));
      candidates.observe(execution('huge', ['x'.repeat(10_000)]));
    }
    expect(candidates.top({ minCalls: 1, minHitRate: 0 })).toEqual([]);
  });

  it('does not propose statements whose parameters never repeat, or that are rare', () => {
    const candidates = new CacheCandidates();
    for (let i = 0; i < 100; i += 1) candidates.observe(execution('unique', [i]));
    for (let i = 0; i < 5; i += 1) candidates.observe(execution('rare', [1]));
    expect(candidates.top()).toEqual([]);
  });

  it('ranks by estimated time saved and caps the sample, erring low', () => {
    const candidates = new CacheCandidates({ sampleSize: 2 });
    for (let i = 0; i < 40; i += 1) candidates.observe(execution('cheap', [1], { durationMs: 1 }));
    const sets = 3;
    for (let i = 0; i < 40; i += 1) candidates.observe(execution('costly', [i % sets], { durationMs: 50 }));
    const top = candidates.top();
    expect(top.map((c) => c.fingerprint)).toEqual(['costly', 'cheap']);
    const costly = top[0]!;
    // Only sets 0 and 1 fit the sample: repeats of set 2 count as misses.
    const callsOfSampledSets = Array.from({ length: 40 }, (_, i) => i % sets).filter((set) => set < 2).length;
    expect(costly.sampleFull).toBe(true);
    expect(costly.repeats).toBe(callsOfSampledSets - 2);
  });

  it('hashes one execution in SAMPLE_EVERY after the first FULLY_SAMPLED_CALLS, and scales the estimate to all calls', () => {
    const candidates = new CacheCandidates();
    let sampled = 0;
    const calls = FULLY_SAMPLED_CALLS + 80 * SAMPLE_EVERY;
    for (let i = 0; i < calls; i += 1) {
      const wants = candidates.wantsSample('hot');
      if (wants) sampled += 1;
      // Four parameter sets in turn: every hashed execution after the first four is a repeat.
      candidates.observe(execution('hot', [i % 4], { durationMs: 2, parameterHash: wants ? hashValues('hot', [i % 4]) : undefined }));
    }
    expect(sampled).toBe(FULLY_SAMPLED_CALLS + 80);
    const [hot] = candidates.top();
    expect(hot).toMatchObject({ calls, repeats: sampled - 4, distinctParameterSets: 4 });
    expect(hot!.estimatedHitRate).toBeCloseTo((sampled - 4) / sampled, 10);
    expect(hot!.estimatedTimeSavedMs).toBeCloseTo(hot!.estimatedHitRate * calls * 2, 6);
  });

  it('hashes parameter sets by value and type, never keeping them', () => {
    expect(hashValues('t', [1])).toBe(hashValues('t', [1]));
    expect(hashValues('t', [1])).not.toBe(hashValues('t', ['1']));
    expect(hashValues('t', [new Date(0)])).toBe(hashValues('t', [new Date(0)]));
    expect(hashValues('t', [Buffer.from('ab')])).not.toBe(hashValues('t', [Buffer.from('ac')]));
    expect(hashValues('a', [1])).not.toBe(hashValues('b', [1]));
  });
});
