import { describe, expect, it } from 'vitest';
import { NPlusOneDetector, nPlusOneFinding } from '../../recording/detectors/nPlusOneDetector';
import { N_PLUS_ONE_MIN_TOTAL_MS } from '../../recording/detectors/nPlusOneDefaults';

const THRESHOLD = 5;

function run(detector: NPlusOneDetector, contextKey: string | undefined, fingerprint: string, times: number, durationMs: number) {
  const loops = [];
  for (let i = 0; i < times; i += 1) {
    const loop = detector.observe({ contextKey, fingerprint, normalized: `SELECT ${fingerprint} WHERE id = $1`, durationMs, at: i });
    if (loop !== undefined) loops.push(loop);
  }
  return loops;
}

describe('NPlusOneDetector (Sentry rule: ≥ threshold repetitions in one context, ≥ 50 ms in total)', () => {
  const slowEnough = N_PLUS_ONE_MIN_TOTAL_MS / THRESHOLD + 1;

  it('reports a loop once per context and fingerprint when both thresholds are met', () => {
    const detector = new NPlusOneDetector({ threshold: THRESHOLD });
    const loops = run(detector, 'request-1', 'fp', THRESHOLD * 3, slowEnough);
    expect(loops).toHaveLength(1);
    expect(loops[0]).toMatchObject({ fingerprint: 'fp', repetitions: THRESHOLD });
    expect(loops[0]!.totalMs).toBeGreaterThanOrEqual(N_PLUS_ONE_MIN_TOTAL_MS);
    const summary = detector.loops()[0];
    expect(summary).toMatchObject({ fingerprint: 'fp', loops: 1, maxRepetitions: THRESHOLD * 3 });
  });

  it('does not report below the repetition threshold', () => {
    const detector = new NPlusOneDetector({ threshold: THRESHOLD });
    expect(run(detector, 'request-1', 'fp', THRESHOLD - 1, 100)).toHaveLength(0);
  });

  it('does not report fast loops under the total-time floor', () => {
    const detector = new NPlusOneDetector({ threshold: THRESHOLD });
    expect(run(detector, 'request-1', 'fp', THRESHOLD * 4, 0.1)).toHaveLength(0);
  });

  it('keeps contexts apart and ignores statements without a context', () => {
    const detector = new NPlusOneDetector({ threshold: THRESHOLD });
    expect(run(detector, 'a', 'fp', THRESHOLD - 1, slowEnough)).toHaveLength(0);
    expect(run(detector, 'b', 'fp', THRESHOLD - 1, slowEnough)).toHaveLength(0);
    expect(run(detector, undefined, 'fp', THRESHOLD * 3, slowEnough)).toHaveLength(0);
    expect(run(detector, 'c', 'fp', THRESHOLD, slowEnough)).toHaveLength(1);
    expect(run(detector, 'd', 'fp', THRESHOLD, slowEnough)).toHaveLength(1);
    expect(detector.loops()[0]?.loops).toBe(2);
  });

  it('stays bounded: an evicted context starts counting again', () => {
    const detector = new NPlusOneDetector({ threshold: THRESHOLD, maxContexts: 2 });
    run(detector, 'old', 'fp', THRESHOLD - 1, slowEnough);
    run(detector, 'x', 'other', 1, 1);
    run(detector, 'y', 'other', 1, 1);
    // 'old' was pushed out by x and y: one more execution is not yet a loop.
    expect(run(detector, 'old', 'fp', 1, slowEnough)).toHaveLength(0);
  });

  it('follows the latest loop as it grows, after it was reported', () => {
    const detector = new NPlusOneDetector({ threshold: THRESHOLD });
    run(detector, 'request-1', 'fp', THRESHOLD + 3, slowEnough);
    expect(detector.latestLoop('fp')).toMatchObject({ repetitions: THRESHOLD + 3, totalMs: (THRESHOLD + 3) * slowEnough });
    run(detector, 'request-2', 'fp', THRESHOLD, slowEnough);
    expect(detector.latestLoop('fp')).toMatchObject({ repetitions: THRESHOLD });
    expect(detector.latestLoop('other')).toBeUndefined();
  });

  it('takes the total-time floor from its options', () => {
    const detector = new NPlusOneDetector({ threshold: THRESHOLD, minTotalMs: 0 });
    expect(run(detector, 'request-1', 'fp', THRESHOLD, 0.1)).toHaveLength(1);
  });

  it('produces a finding that names the repetitions without values', () => {
    const finding = nPlusOneFinding({ fingerprint: 'fp', repetitions: 7, totalMs: 80.4 });
    expect(finding).toMatchObject({ rule: 'n-plus-one', category: 'performance', severity: 'warning' });
    expect(finding.message).toContain('7 times');
  });
});
