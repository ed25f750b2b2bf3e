import { beforeAll, describe, expect, it } from 'vitest';
import { hashString } from '../../core/hashing';
import { DEFAULT_LITERAL_BUILT_THRESHOLD, LITERAL_BUILT_RULE, LiteralBuiltDetector, carriesLiterals } from '../../recording/detectors/literalBuiltDetector';
import { loadSqlParser, sqlParser } from '../../sql/parse/parser';

beforeAll(() => loadSqlParser());

function texts(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `SELECT name FROM users WHERE id = ${i}`);
}

describe('LiteralBuiltDetector', () => {
  it('flags a fingerprint once it arrives as threshold distinct texts, and only once', () => {
    const detector = new LiteralBuiltDetector();
    const found = texts(DEFAULT_LITERAL_BUILT_THRESHOLD * 2).map((text) => detector.observe('fp', hashString(text)));
    const flagged = found.filter((finding) => finding !== undefined);
    expect(flagged).toHaveLength(1);
    expect(found.indexOf(flagged[0])).toBe(DEFAULT_LITERAL_BUILT_THRESHOLD - 1);
    expect(flagged[0]).toMatchObject({ rule: LITERAL_BUILT_RULE, category: 'security' });
  });

  it('does not flag the same few texts repeated many times', () => {
    const detector = new LiteralBuiltDetector();
    const few = texts(3);
    for (let i = 0; i < 200; i += 1) expect(detector.observe('fp', hashString(few[i % few.length]!))).toBeUndefined();
  });

  it('counts texts per fingerprint', () => {
    const detector = new LiteralBuiltDetector({ threshold: 4 });
    const half = texts(3).map(hashString);
    for (const hash of half) detector.observe('a', hash);
    for (const hash of half) expect(detector.observe('b', hash)).toBeUndefined();
    expect(detector.observe('a', hashString('SELECT name FROM users WHERE id = 99'))).toBeDefined();
  });

  it('is bounded: samples of the least recently seen fingerprints are dropped', () => {
    const detector = new LiteralBuiltDetector({ threshold: 3, maxFingerprints: 2 });
    detector.observe('old', hashString('a'));
    detector.observe('old', hashString('b'));
    detector.observe('x', hashString('a'));
    detector.observe('y', hashString('a'));
    // 'old' lost its sample: two more texts are needed again.
    expect(detector.observe('old', hashString('c'))).toBeUndefined();
  });

  it('counts only texts with literal constants, not placeholder lists of different lengths', () => {
    const parser = sqlParser()!;
    expect(carriesLiterals("SELECT id FROM users WHERE email = 'a@b.c'", parser)).toBe(true);
    expect(carriesLiterals('SELECT id FROM users WHERE id = 42', parser)).toBe(true);
    expect(carriesLiterals('SELECT id FROM users WHERE id IN ($1, $2, $3)', parser)).toBe(false);
    expect(carriesLiterals('\n  SELECT id FROM users WHERE id = $1\n', parser)).toBe(false);
  });

  it('keeps hashes, not texts', () => {
    expect(hashString('SELECT 1 WHERE x = \'secret\'')).toMatch(/^[0-9a-f]{14}$/);
    // Pinned values of the 53-bit cyrb53 in hex; the last three have a zero
    // leading digit in each part the hex is written in.
    expect(['', 'a', 'SELECT 1', 's0', 's5', 's75'].map((text) => hashString(text))).toEqual([
      '0bdcb81aee8d83', '1c2ba782c97901', '04d7c5b424c0f6', '064aa64a14ac2d', '0b692e0d144159', '03653633dd04e0',
    ]);
    expect(hashString('a')).not.toBe(hashString('b'));
  });
});
