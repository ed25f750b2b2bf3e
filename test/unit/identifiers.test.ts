/** How the agent writes the names it puts into SQL itself (index columns, constraint names). */
import { describe, expect, it } from 'vitest';
import { quoteIdentifier } from '../../sql/parse/identifiers';

describe('quoteIdentifier', () => {
  it('leaves plain lower-case names bare, unreserved keywords among them', () => {
    expect(['orders', 'customer_id', '_tmp', 'price$', 'name', 'type', 'comment'].map(quoteIdentifier)).toEqual(['orders', 'customer_id', '_tmp', 'price$', 'name', 'type', 'comment']);
  });

  it('quotes reserved keywords, also those reserved but for function and type names', () => {
    const reserved = ['user', 'order', 'select', 'table', 'group', 'from', 'where', 'lateral', 'returning', 'left', 'join', 'verbose'];
    expect(reserved.map(quoteIdentifier)).toEqual(reserved.map((word) => `"${word}"`));
  });

  it('quotes what the parser would fold or refuse, doubling inner quotes', () => {
    expect(['Orders', '1st', 'a b', 'say "hi"'].map(quoteIdentifier)).toEqual(['"Orders"', '"1st"', '"a b"', '"say ""hi"""']);
  });
});
