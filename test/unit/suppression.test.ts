/**
 * Suppression comments: how they are read, what lint does with them, and
 * what the agent does with them at runtime (static rules, value rules and
 * detectors, for the executions of the text that carries them).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../agent/config';
import { createQueryRecorder } from '../../recording/queryRecorder';
import { checkValues } from '../../recording/checkValues';
import { StatementCache } from '../../recording/statementCache';
import { lintSql } from '../../sql/lint/lintSql';
import { loadSqlParser, sqlParser } from '../../sql/parse/parser';
import { readDirective, readSuppressionComments } from '../../sql/suppression/suppressionComments';
import { CacheMetricsReader } from '../helpers/cacheMetrics';

beforeAll(() => loadSqlParser());

const lint = (sql: string) => lintSql(sql, { disabledRules: new Set() }).findings.map((finding) => `${finding.line}:${finding.rule}`);

describe('reading a suppression comment', () => {
  it.each([
    ['-- querylens-disable-next-line select-star', { scope: 'next-statement', rules: ['select-star'] }],
    ['--querylens-disable-next-line select-star,large-offset', { scope: 'next-statement', rules: ['select-star', 'large-offset'] }],
    ['/* querylens-disable-next-line select-star, large-offset */', { scope: 'next-statement', rules: ['select-star', 'large-offset'] }],
    ['-- querylens-disable require-concurrent-index -- the table is new', { scope: 'file', rules: ['require-concurrent-index'] }],
    ['/*\n  querylens-disable n-plus-one\n*/', { scope: 'file', rules: ['n-plus-one'] }],
    ['-- querylens-disable-next-line', { scope: 'next-statement', rules: [] }],
  ])('%s', (comment, expected) => {
    expect(readDirective(comment, 7)).toEqual({ ...expected, offset: 7 });
  });

  it.each(['-- querylens-disabled select-star', '-- see querylens-disable select-star', '-- eslint-disable-next-line x', '/* querylens */'])('ignores %s', (comment) => {
    expect(readDirective(comment, 0)).toBeUndefined();
  });

  it('finds comments with the scanner: the marker inside a string is not one', () => {
    const parser = sqlParser();
    if (parser === undefined) throw new Error('parser not loaded');
    const text = "SELECT '-- querylens-disable select-star' AS note; -- querylens-disable-next-line select-star\nSELECT * FROM t";
    expect(readSuppressionComments(text, parser)).toEqual([{ scope: 'next-statement', rules: ['select-star'], offset: text.indexOf('-- querylens-disable-next') }]);
  });
});

describe('querylens lint with suppression comments', () => {
  const file = [
    'SELECT * FROM a;',
    '-- querylens-disable-next-line select-star',
    'SELECT * FROM b;',
    'SELECT * FROM c;',
    'SELECT *',
    '  FROM d /* querylens-disable-next-line select-star */;',
  ].join('\n');

  it('silences the named rule for the next statement only', () => {
    expect(lint(file)).toEqual(['1:select-star', '4:select-star']);
  });

  it('silences a rule for the whole file, wherever the comment is', () => {
    expect(lint(`${file}\n-- querylens-disable select-star, limit-without-order`)).toEqual([]);
  });

  it('silences only the rules it names', () => {
    expect(lint('-- querylens-disable-next-line select-star\nDELETE FROM sessions;')).toEqual(['2:delete-without-where']);
  });

  it('warns, at the comment, about an unknown rule id or a comment naming none, and still honours the valid ids', () => {
    const findings = lintSql('SELECT 1;\n-- querylens-disable-next-line selet-star, select-star\nSELECT * FROM é;\n/* querylens-disable */', { disabledRules: new Set() }).findings;
    expect(findings.map(({ line, column, rule, severity }) => ({ line, column, rule, severity }))).toEqual([
      { line: 2, column: 1, rule: 'unknown-suppression', severity: 'warning' },
      { line: 4, column: 1, rule: 'unknown-suppression', severity: 'warning' },
    ]);
    expect(findings[0].message).toContain('"selet-star"');
    expect(findings[1].message).toContain('names no rule');
  });

  it('accepts the ids of runtime detectors and plan rules (a shared comment may name them)', () => {
    expect(lint('-- querylens-disable n-plus-one, plan-seq-scan-filter\nSELECT id FROM t;')).toEqual([]);
  });
});

describe('suppression comments at runtime', () => {
  const config = readConfig({}, (line) => { throw new Error(line); });
  const cache = (): StatementCache => new StatementCache({ maxSqlLength: config.maxSqlLength, disabledRules: new Set(), source: 'runtime' });

  it('drops the named static findings for that text and keeps its fingerprint', () => {
    const statements = cache();
    const plain = statements.analyze('SELECT * FROM orders WHERE note = $1');
    const marked = statements.analyze('/* querylens-disable-next-line select-star */ SELECT * FROM orders WHERE note = $1');
    expect(plain?.findings.map((finding) => finding.rule)).toContain('select-star');
    expect(marked?.findings.map((finding) => finding.rule)).not.toContain('select-star');
    expect(marked?.fingerprint).toBe(plain?.fingerprint);
    expect([...(marked?.suppressedRules ?? [])]).toEqual(['select-star']);
    expect(plain?.suppressedRules).toBeUndefined();
  });

  it('drops value-rule findings too', () => {
    const statements = cache();
    const plain = statements.analyze('SELECT id FROM users WHERE name LIKE $1');
    const marked = statements.analyze('-- querylens-disable-next-line leading-wildcard-like\nSELECT id FROM users WHERE name LIKE $1');
    if (plain === undefined || marked === undefined) throw new Error('parser not loaded');
    expect(checkValues(plain, ['%smith']).map((finding) => finding.rule)).toEqual(['leading-wildcard-like']);
    expect(checkValues(marked, ['%smith'])).toEqual([]);
  });

  it('stops a detector for the executions of the text that carries it', () => {
    const statements = cache();
    const recorder = createQueryRecorder(config, new CacheMetricsReader().meter);
    const loop = (text: string, contextKey: string): void => {
      const analysis = statements.analyze(text);
      if (analysis === undefined) throw new Error('parser not loaded');
      for (let i = 0; i < 10; i += 1) {
        recorder.onQuery({ analysis, text, values: [i], durationSeconds: 0.02, rows: 1, errorCode: undefined, contextKey, traceId: undefined, endedAt: Date.now(), server: { address: '127.0.0.1', port: 5432, database: 'test' } });
      }
    };
    loop('-- querylens-disable-next-line n-plus-one\nSELECT total FROM lines WHERE order_id = $1', 'request-1');
    expect(recorder.nPlusOneLoops()).toEqual([]);
    loop('SELECT total FROM lines WHERE order_id = $1', 'request-2');
    expect(recorder.nPlusOneLoops()).toMatchObject([{ loops: 1 }]);
  });
});
