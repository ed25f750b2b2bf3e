/** What the SQL engine tells the query cache: the tables a statement changes, and whether its rows may be cached. */
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeStatement, type AnalyzerOptions } from '../../sql/analyzeStatement';
import { loadSqlParser } from '../../sql/parse/parser';
import { ALL_QUERIES_TAG, readTags, readsOwnWrites, tableTag, writeTags } from '../../cache/statementCacheability';

const options: AnalyzerOptions = { maxSqlLength: 100_000, disabledRules: new Set(), source: 'runtime', rules: [] };
const analyze = (text: string) => analyzeStatement(text, options);

beforeAll(async () => {
  await loadSqlParser();
});

describe('the tables a statement changes', () => {
  it.each([
    ['INSERT INTO orders (id) VALUES (1)', ['orders']],
    ['INSERT INTO archive SELECT * FROM orders', ['archive']],
    ['UPDATE shop.orders SET paid = true FROM users WHERE users.id = orders.user_id', ['shop.orders']],
    ['DELETE FROM orders WHERE id = $1', ['orders']],
    ['MERGE INTO stock s USING deliveries d ON s.id = d.id WHEN MATCHED THEN UPDATE SET n = s.n + d.n', ['stock']],
    ['WITH gone AS (DELETE FROM carts RETURNING user_id) SELECT count(*) FROM gone', ['carts']],
    ['TRUNCATE orders, users', ['orders', 'users']],
    ['ALTER TABLE orders ADD COLUMN note text', ['orders']],
    ['DROP TABLE orders', ['orders']],
    ['SELECT * FROM orders JOIN users ON users.id = orders.user_id', []],
    ['BEGIN', []],
    ['SET statement_timeout = 1000', []],
  ])('%s changes %j', (text, writes) => {
    expect(analyze(text).writes).toEqual(writes);
  });

  it.each(['CALL refresh_totals()', 'DO $$ BEGIN DELETE FROM orders; END $$', 'EXECUTE prepared_write(1)', 'UPSERT orders'])(
    '%s may change tables it does not name', (text) => {
      expect(analyze(text).writes).toBe('unknown');
    });

  it('a COMMIT, a ROLLBACK or a SELECT that did not parse changes nothing', () => {
    expect(analyze('COMMIT').writes).toEqual([]);
    expect(analyze('SELECT FROM WHERE').writes).toEqual([]);
  });
});

describe('which reads the query cache keeps', () => {
  it('tags a join, a subquery and a CTE with every table they read', () => {
    const tags = readTags(analyze(
      'WITH recent AS (SELECT * FROM orders WHERE at > $1) SELECT * FROM recent r JOIN public.users u ON u.id = r.user_id WHERE u.team IN (SELECT id FROM teams)'));
    expect(tags).toEqual([ALL_QUERIES_TAG, tableTag('orders'), tableTag('users'), tableTag('teams')]);
  });

  it('names a view by its own name', () => {
    expect(readTags(analyze('SELECT * FROM order_totals'))).toEqual([ALL_QUERIES_TAG, '@table:order_totals']);
  });

  it.each([
    ['the clock', 'SELECT now(), id FROM orders'],
    ['CURRENT_TIMESTAMP', 'SELECT id FROM orders WHERE at < CURRENT_TIMESTAMP'],
    ['a volatile function', 'SELECT random(), id FROM orders'],
    ['a locking clause', 'SELECT id FROM orders FOR UPDATE'],
    ['a write', 'UPDATE orders SET paid = true RETURNING id'],
    ['several statements', 'SELECT 1 FROM orders; SELECT 2 FROM users'],
    ['text that did not parse', 'SELECT FROM WHERE'],
  ])('never caches a read with %s', (_what, text) => {
    expect(readTags(analyze(text))).toBeUndefined();
  });

  it('invalidates by the tables written, public or not, and everything for an unattributed write', () => {
    expect(writeTags(['public.orders', 'shop.items'])).toEqual(['@table:orders', '@table:shop.items']);
    expect(writeTags('unknown')).toEqual([ALL_QUERIES_TAG]);
  });

  it('sends a transaction\'s read of a table it changed to the database', () => {
    const tags = [ALL_QUERIES_TAG, tableTag('orders')];
    expect(readsOwnWrites(tags, ['public.orders'])).toBe(true);
    expect(readsOwnWrites(tags, ['users'])).toBe(false);
    expect(readsOwnWrites(tags, 'unknown')).toBe(true);
    expect(readsOwnWrites(tags, undefined)).toBe(false);
  });
});
