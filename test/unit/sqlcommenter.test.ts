import { describe, expect, it } from 'vitest';
import { appendSqlCommenter, sqlCommenterApplies } from '../../agent/sql/sqlcommenter';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('appendSqlCommenter', () => {
  it('appends sorted, url-encoded key=\'value\' pairs in a trailing comment', () => {
    const text = appendSqlCommenter('SELECT * FROM users WHERE id = $1', TRACEPARENT, { route: '/users/:id', db_driver: 'node-postgres' });
    expect(text).toBe(`SELECT * FROM users WHERE id = $1 /*db_driver='node-postgres',route='%2Fusers%2F%3Aid',traceparent='${TRACEPARENT}'*/`);
  });

  it('puts the comment before a trailing semicolon', () => {
    expect(appendSqlCommenter('SELECT 1;  ', TRACEPARENT, {})).toBe(`SELECT 1 /*traceparent='${TRACEPARENT}'*/;`);
  });

  it('escapes single quotes and cannot close the comment early', () => {
    const text = appendSqlCommenter('SELECT 1', undefined, { application: "it's */ DROP TABLE x; --" });
    expect(text).toBe("SELECT 1 /*application='it\\'s%20*%2F%20DROP%20TABLE%20x%3B%20--'*/");
    expect(text.indexOf('*/')).toBe(text.length - 2);
  });

  it('leaves statements that already carry a comment alone', () => {
    expect(appendSqlCommenter('SELECT 1 -- note', TRACEPARENT, {})).toBe('SELECT 1 -- note');
    expect(appendSqlCommenter('SELECT /* hint */ 1', TRACEPARENT, {})).toBe('SELECT /* hint */ 1');
  });

  it('leaves named prepared statements alone', () => {
    expect(appendSqlCommenter('SELECT 1', TRACEPARENT, {}, 'fetch-user')).toBe('SELECT 1');
    expect(sqlCommenterApplies('SELECT 1', 'fetch-user')).toBe(false);
    expect(sqlCommenterApplies('SELECT 1', undefined)).toBe(true);
  });

  it('returns the text unchanged when there is nothing to add', () => {
    expect(appendSqlCommenter('SELECT 1', undefined, { route: undefined, empty: '' })).toBe('SELECT 1');
  });
});
