import { beforeAll, describe, expect, it } from 'vitest';
import { loadSqlParser } from '../../sql/parse/parser';
import { UNBOUNDED_RESULT_RULE, UnboundedResultDetector, selectHasLimit } from '../../recording/detectors/unboundedResultDetector';

beforeAll(() => loadSqlParser());

const THRESHOLD = 1000;

function statement(normalized: string, operation = 'SELECT') {
  return { fingerprint: normalized, normalized, operation, parsed: true };
}

describe('unbounded results', () => {
  it('reads LIMIT and FETCH FIRST from the outermost SELECT', () => {
    expect(selectHasLimit('SELECT id FROM t')).toBe(false);
    expect(selectHasLimit('SELECT id FROM t LIMIT $1')).toBe(true);
    expect(selectHasLimit('SELECT id FROM t FETCH FIRST $1 ROWS ONLY')).toBe(true);
    expect(selectHasLimit('SELECT id FROM t LIMIT ALL')).toBe(false);
    expect(selectHasLimit('SELECT id FROM (SELECT id FROM t LIMIT $1) s')).toBe(false);
    expect(selectHasLimit('SELECT id FROM t WHERE')).toBeUndefined();
  });

  it('flags a SELECT without LIMIT above the row threshold, only above it', () => {
    const detector = new UnboundedResultDetector(THRESHOLD);
    expect(detector.check(statement('SELECT id FROM t'), THRESHOLD + 1)).toMatchObject({ rule: UNBOUNDED_RESULT_RULE });
    expect(detector.check(statement('SELECT id FROM t'), THRESHOLD)).toBeUndefined();
    expect(detector.check(statement('SELECT id FROM t'), undefined)).toBeUndefined();
  });

  it('does not flag limited selects, writes, or statements it cannot read', () => {
    const detector = new UnboundedResultDetector(THRESHOLD);
    expect(detector.check(statement('SELECT id FROM t LIMIT $1'), THRESHOLD * 5)).toBeUndefined();
    expect(detector.check(statement('UPDATE t SET a = $1', 'UPDATE'), THRESHOLD * 5)).toBeUndefined();
    expect(detector.check({ ...statement('SELECT id FROM'), parsed: false }, THRESHOLD * 5)).toBeUndefined();
  });
});
