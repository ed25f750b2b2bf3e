/** formatCount writes what toLocaleString('en-US') writes for whole counts, without ICU. */
import { describe, expect, it } from 'vitest';
import { formatCount } from '../../sql/ruleWording';

describe('formatCount', () => {
  it.each([0, 7, 999, 1000, 1001, 12_345, 999_999, 1_000_000, 123_456_789, 9_007_199_254_740_991, -1, -1000, -1_234_567])('%d', (count) => {
    expect(formatCount(count)).toBe(count.toLocaleString('en-US'));
  });

  it('rounds a fraction to the whole count', () => {
    expect(formatCount(1234.4)).toBe('1,234');
    expect(formatCount(1234.5)).toBe('1,235');
  });
});
