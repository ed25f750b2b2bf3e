import { beforeAll, describe, expect, it } from 'vitest';
import { agentErrorCount, agentErrorSummaries } from '../../core/agentErrors';
import { type AnalyzerOptions, NORMALIZED_MAX_LENGTH } from '../../sql/analyzeStatement';
import { analyzeKeepingTree as analyzeStatement } from '../../recording/valueRuleTrees';
import { checkValues } from '../../recording/checkValues';
import { lintSql } from '../../sql/lint/lintSql';
import { isSqlParserReady, loadSqlParser } from '../../sql/parse/parser';
import { walk } from '../../sql/parse/parseTree';
import { operandValue, stringValue } from '../../sql/parse/valueReaders';
import type { Rule, RuleContext, RuleHit } from '../../sql/rule';
import { unknownRuleIds } from '../../sql/ruleEngine';
import { StatementCache } from '../../recording/statementCache';
import { SUMMARY_MAX_LENGTH } from '../../sql/parse/statementFacts';

// Two tiny rules stand in for the catalogue: the engine is tested, not the rules.
const starRule: Rule = {
  id: 'test-star',
  category: 'performance',
  severity: 'warning',
  description: 'A * in a target list',
  suggestion: 'Name the columns.',
  check(ctx: RuleContext): RuleHit[] {
    return walk(ctx.stmt)
      .filter((visit) => visit.type === 'A_Star')
      .map((visit) => ({ message: 'star seen', location: ctx.text.indexOf('*', Number(visit.parent?.fields['location'] ?? 0)) }));
  },
};

const wildcardRule: Rule = {
  id: 'test-wildcard',
  category: 'performance',
  severity: 'info',
  description: 'LIKE with a leading %',
  suggestion: 'Anchor the pattern.',
  usesValues: true,
  check(ctx: RuleContext): RuleHit[] {
    return walk(ctx.stmt)
      .filter((visit) => visit.type === 'A_Expr' && visit.fields['kind'] === 'AEXPR_LIKE')
      .filter((visit) => stringValue(operandValue(visit.fields['rexpr'], ctx.values))?.startsWith('%') === true)
      .map(() => ({ message: 'leading wildcard' }));
  },
};

let countingChecks = 0;
const countingRule: Rule = {
  id: 'test-counting',
  category: 'correctness',
  severity: 'info',
  description: 'Counts how often the engine runs it',
  suggestion: 'None.',
  check(): RuleHit[] {
    countingChecks += 1;
    return [];
  },
};

const throwingRule: Rule = {
  id: 'test-throwing',
  category: 'correctness',
  severity: 'error',
  description: 'Always throws',
  suggestion: 'None.',
  check(): RuleHit[] {
    throw new TypeError('boom');
  },
};

const rules = [starRule, wildcardRule];
const options: AnalyzerOptions = { maxSqlLength: 100_000, disabledRules: new Set(), source: 'runtime', rules };
const analyze = (sql: string, extra: Partial<AnalyzerOptions> = {}) => analyzeStatement(sql, { ...options, ...extra });

describe('before the parser is loaded', () => {
  it('the cache answers undefined instead of waiting, and counts it', () => {
    expect(isSqlParserReady()).toBe(false);
    const cache = new StatementCache(options);
    expect(cache.analyze('SELECT 1')).toBeUndefined();
    expect(cache.counts().notReady).toBe(1);
  });
});

describe('statement analysis', () => {
  beforeAll(async () => {
    await loadSqlParser();
  });

  it('groups IN lists of any length and = ANY($1) under one fingerprint', () => {
    const fingerprints = [
      'SELECT * FROM users WHERE id IN (1, 2, 3)',
      'SELECT * FROM users WHERE id IN (1)',
      'SELECT * FROM users WHERE id = ANY($1)',
      'select *   from users where id in (7,8)',
    ].map((sql) => analyze(sql).fingerprint);
    expect(new Set(fingerprints).size).toBe(1);
    expect(fingerprints[0]).toMatch(/^[0-9a-f]{16}$/);
    expect(analyze('SELECT * FROM orders WHERE id IN (1)').fingerprint).not.toBe(fingerprints[0]);
  });

  it('builds db.query.summary from operations and targets in order', () => {
    expect(analyze('SELECT * FROM users WHERE username = $1').summary).toBe('SELECT users');
    expect(analyze('SELECT * FROM songs s JOIN artists a ON s.artist_id = a.id').summary).toBe('SELECT songs artists');
    expect(analyze('INSERT INTO shipping_details (order_id, address) SELECT order_id, address FROM orders WHERE order_id = $1').summary).toBe(
      'INSERT shipping_details SELECT orders',
    );
    expect(analyze('SELECT order_date FROM (SELECT * FROM orders o JOIN customers c ON o.customer_id = c.customer_id) x').summary).toBe(
      'SELECT SELECT orders customers',
    );
    const wide = Array.from({ length: 80 }, (_, index) => `very_long_table_name_number_${index}`);
    const summary = analyze(`SELECT 1 FROM ${wide.join(', ')}`).summary;
    expect(summary.length).toBeLessThanOrEqual(SUMMARY_MAX_LENGTH);
    expect(summary.startsWith(`SELECT ${wide[0]} ${wide[1]}`)).toBe(true);
    expect(wide.some((table) => summary.endsWith(table))).toBe(true);
  });

  it('takes the operation from the tree, not the first word', () => {
    const cte = analyze('WITH recent AS (SELECT * FROM orders WHERE created_at > now()) SELECT * FROM recent JOIN users u ON true');
    expect(cte.operation).toBe('SELECT');
    expect(cte.tables).toEqual(['orders', 'users']);
    expect(cte.collection).toBe('orders');
    expect(analyze('WITH x AS (SELECT 1) INSERT INTO audit SELECT * FROM x').operation).toBe('INSERT');
    const explain = analyze('EXPLAIN SELECT * FROM public.orders');
    expect(explain.operation).toBe('EXPLAIN');
    expect(explain.summary).toBe('EXPLAIN SELECT public.orders');
    expect(explain.collection).toBe('public.orders');
    expect(analyze('CREATE INDEX CONCURRENTLY i ON orders (user_id)').operation).toBe('CREATE INDEX');
    expect(analyze('ALTER TABLE orders ADD COLUMN note text').summary).toBe('ALTER TABLE orders');
    expect(analyze('BEGIN').operation).toBe('BEGIN');
    expect(analyze('ALTER TABLE orders RENAME COLUMN note TO remark').operation).toBe('ALTER TABLE');
    expect(analyze('INSERT INTO events (kind) VALUES ($1) ON CONFLICT DO NOTHING').summary).toBe('INSERT events');
    const tableAs = analyze('CREATE TABLE summary AS SELECT * FROM orders');
    expect(tableAs.summary).toBe('CREATE TABLE summary SELECT orders');
    expect(tableAs.collection).toBe('summary');
  });

  it('reports every statement of a multi-statement text', () => {
    const multi = analyze('SELECT * FROM a; UPDATE b SET x = 1 WHERE id = 2');
    expect(multi.statementCount).toBe(2);
    expect(multi.operation).toBe('SELECT');
    expect(multi.summary).toBe('SELECT a; UPDATE b');
    expect(multi.tables).toEqual(['a', 'b']);
    expect(multi.readOnly).toBe(false);
  });

  it('marks read-only only what neither writes, locks nor calls volatile functions', () => {
    expect(analyze('SELECT id FROM users WHERE id = $1').readOnly).toBe(true);
    expect(analyze('EXPLAIN SELECT id FROM users').readOnly).toBe(true);
    expect(analyze('SELECT id FROM users FOR UPDATE').readOnly).toBe(false);
    expect(analyze('SELECT id INTO copy FROM users').readOnly).toBe(false);
    expect(analyze('WITH d AS (DELETE FROM users RETURNING id) SELECT * FROM d').readOnly).toBe(false);
    expect(analyze('UPDATE users SET a = 1 WHERE id = 1').readOnly).toBe(false);
    for (const call of ["nextval('s')", 'random()', 'pg_catalog.clock_timestamp()', 'gen_random_uuid()', 'pg_sleep(1)']) {
      const analysis = analyze(`SELECT ${call}`);
      expect(analysis.hasVolatileFunctions, call).toBe(true);
      expect(analysis.readOnly, call).toBe(false);
    }
    expect(analyze('SELECT now()').hasVolatileFunctions).toBe(false);
  });

  it('shows normalized text without literals, comments or secrets, capped', () => {
    const analysis = analyze("SELECT * FROM users /* user=bob@example.com */ WHERE email = 'bob@example.com' AND age > 41 -- trailing");
    expect(analysis.normalized).toBe('SELECT * FROM users WHERE email = $1 AND age > $2');
    expect(analyze('SELECT/* tight */1').normalized).toBe('SELECT $1');
    const secret = analyze("ALTER USER app PASSWORD 'hunter2-secret'");
    expect(secret.normalized).not.toContain('hunter2');
    const long = analyze(`SELECT ${Array.from({ length: 600 }, (_, index) => `column_${index}`).join(', ')} FROM t`);
    expect(long.parsed).toBe(true);
    expect(long.normalized.length).toBe(NORMALIZED_MAX_LENGTH);
  });

  it('groups unparseable and overlong text under a text hash, without literals, never throwing', () => {
    const broken = analyze("SELECT * FROM users WHERE name = 'alice-secret' AND AND");
    expect(broken.parsed).toBe(false);
    expect(broken.fingerprint).toMatch(/^h:[0-9a-f]{16}$/);
    expect(broken.operation).toBe('SELECT');
    expect(broken.normalized).toContain('name = ?');
    expect(broken.normalized).not.toContain('alice-secret');
    expect(analyze("SELECT * FROM users WHERE name = 'alice-secret' AND OR").fingerprint).not.toBe(broken.fingerprint);
    expect(analyze('WITH x AS (').operation).toBe('UNKNOWN');
    expect(analyze("SELECT 'unterminated secret").normalized).not.toContain('secret');

    const text = `SELECT * FROM t WHERE note = '${'x'.repeat(200)}'`;
    const overlong = analyze(text, { maxSqlLength: 100 });
    expect(overlong.parsed).toBe(false);
    expect(overlong.fingerprint).toMatch(/^h:/);
    expect(overlong.operation).toBe('SELECT');
    expect(overlong.normalized).not.toContain('xxx');
    expect(analyze(text).parsed).toBe(true);
  });

  it('runs the enabled rules once per text and honours disabled ids', () => {
    expect(analyze('SELECT * FROM users').findings.map((finding) => finding.rule)).toEqual(['test-star']);
    expect(analyze('SELECT * FROM users', { disabledRules: new Set(['test-star']) }).findings).toEqual([]);
    expect(analyze("SELECT id FROM users WHERE name LIKE '%x'").findings.map((finding) => finding.rule)).toEqual(['test-wildcard']);
    expect(unknownRuleIds(['test-star', 'no-such-rule'], rules)).toEqual(['no-such-rule']);
  });

  it('keeps going when a rule throws, and reports it as an agent error', () => {
    const analysis = analyze('SELECT * FROM users', { rules: [throwingRule, starRule] });
    expect(analysis.findings.map((finding) => finding.rule)).toEqual(['test-star']);
    const reported = agentErrorSummaries().find((summary) => summary.component === 'sql-rule');
    expect(reported?.lastMessage).toBe('rule test-throwing threw TypeError');
  });

  it('checks bound values with value rules only, without repeating static findings', () => {
    const analysis = analyze('SELECT * FROM users WHERE name LIKE $1');
    expect(analysis.hasValueRules).toBe(true);
    expect(analysis.findings.map((finding) => finding.rule)).toEqual(['test-star']);
    expect(checkValues(analysis, ['%son'])).toEqual([
      { rule: 'test-wildcard', category: 'performance', severity: 'info', message: 'leading wildcard', suggestion: 'Anchor the pattern.' },
    ]);
    expect(checkValues(analysis, ['john%'])).toEqual([]);
    expect(analyze("SELECT id FROM users WHERE name LIKE 'a%'").hasValueRules).toBe(false);
    expect(analyze('SELECT id FROM users WHERE name LIKE $1', { rules: [starRule] }).hasValueRules).toBe(false);
  });

  it('runs the real catalogue by default, value rules included', () => {
    const analysis = analyzeStatement('SELECT id FROM users WHERE name LIKE $1 ORDER BY id', {
      maxSqlLength: options.maxSqlLength,
      disabledRules: new Set(),
      source: 'runtime',
    });
    expect(analysis.hasValueRules).toBe(true);
    expect(analysis.findings.map((finding) => finding.rule)).not.toContain('leading-wildcard-like');
    const found = checkValues(analysis, ['%son']);
    expect(found.map((finding) => finding.rule)).toContain('leading-wildcard-like');
    expect(JSON.stringify(found)).not.toContain('%son');
    expect(checkValues(analysis, ['john%'])).toEqual([]);
  });

  it('keeps a tree for value checks only where a value rule reads one of the parameters', () => {
    const ruleErrorsBefore = agentErrorCount('sql-rule');
    const catalogue = (text: string) => analyzeStatement(text, { maxSqlLength: options.maxSqlLength, disabledRules: new Set(), source: 'runtime' });
    expect(catalogue('SELECT $1::int AS c1').hasValueRules).toBe(false);
    expect(catalogue('SELECT id FROM users WHERE id = $1').hasValueRules).toBe(false);
    const paged = catalogue('SELECT id FROM users ORDER BY id LIMIT 10 OFFSET $1');
    expect(paged.hasValueRules).toBe(true);
    expect(checkValues(paged, [50_000]).map((finding) => finding.rule)).toEqual(['large-offset']);
    expect(checkValues(paged, [20])).toEqual([]);
    expect(catalogue('SELECT id FROM users WHERE id = ANY($1)').hasValueRules).toBe(true);
    expect(catalogue("SELECT id FROM users WHERE name LIKE $1 || '%'").hasValueRules).toBe(true);
    expect(agentErrorCount('sql-rule')).toBe(ruleErrorsBefore);
  });

  it('shares one frozen empty list between analyses without tables, writes or findings (one analysis is kept per text)', () => {
    const first = analyze('SELECT $1::int AS c1');
    const second = analyze('SELECT $1::int AS c2');
    expect(first.tables).toEqual([]);
    expect(first.tables).toBe(second.tables);
    expect(first.findings).toBe(second.findings);
    expect(first.writes).toBe(second.findings);
    expect(Object.isFrozen(first.tables)).toBe(true);
    expect(analyze('SELECT * FROM users').tables).toEqual(['users']);
  });

  it('gives rules locations into their own statement text, also after non-ASCII text', () => {
    const seen: string[] = [];
    const spy: Rule = { ...starRule, id: 'test-spy', check: (ctx) => (seen.push(ctx.text), starRule.check(ctx)) };
    const sql = "SELECT 'héllo wörld'; SELECT * FROM t";
    const { findings } = lintSql(sql, { rules: [spy], disabledRules: new Set() });
    expect(seen).toEqual(["SELECT 'héllo wörld'", 'SELECT * FROM t']);
    expect(findings).toHaveLength(1);
    expect(sql[findings[0].column - 1]).toBe('*');
  });
});

describe('lintSql', () => {
  beforeAll(async () => {
    await loadSqlParser();
  });

  const lint = (sql: string) => lintSql(sql, { rules, disabledRules: new Set() }).findings;

  it('places each hit at its line and column, across statements', () => {
    const sql = '-- header\nSELECT id FROM a;\n\n  SELECT *\n  FROM b;\n';
    const [hit] = lint(sql);
    expect(hit).toMatchObject({ rule: 'test-star', line: 4, column: 10, severity: 'warning', category: 'performance' });
  });

  it('counts the statements it checked: none in a file the parser rejects or an empty one', () => {
    const count = (sql: string) => lintSql(sql, { rules, disabledRules: new Set() }).statements;
    expect(count('-- header\nSELECT id FROM a;\n\n  SELECT *\n  FROM b;\n')).toBe(2);
    expect(count('SELECT 1;\n\nSELECT * FROM t WHERE;\n')).toBe(0);
    expect(count('  -- nothing here\n')).toBe(0);
  });

  it('reports a file the parser rejects once, at the parser position', () => {
    const findings = lint('SELECT 1;\n\nSELECT * FROM t WHERE;\n');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'parse-error', severity: 'error', line: 3 });
    expect(findings[0].column).toBe('SELECT * FROM t WHERE'.length + 1);
  });

  it('finds nothing in an empty or comment-only file', () => {
    expect(lint('')).toEqual([]);
    expect(lint('  -- nothing here\n/* still nothing */\n')).toEqual([]);
  });

  it('judges each statement with what the file did before it, and only that file', () => {
    const catalogue = (sql: string) => lintSql(sql, { disabledRules: new Set() }).findings.map(({ line, rule }) => `${line} ${rule}`);
    const migration = [
      'CREATE TABLE orders (id bigint, user_id bigint);',
      'CREATE INDEX orders_user_id_idx ON orders (user_id);',
      'BEGIN;',
      'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);',
      'COMMIT;',
      'CREATE INDEX CONCURRENTLY users_name_idx ON users (name);',
    ].join('\n');
    expect(catalogue(migration)).toEqual(['4 concurrently-in-transaction']);
    // The next file starts afresh: orders is an existing table there.
    expect(catalogue('CREATE INDEX orders_user_id_idx ON orders (user_id);')).toEqual(['1 require-concurrent-index']);
  });
});

describe('StatementCache', () => {
  beforeAll(async () => {
    await loadSqlParser();
  });

  it('parses each distinct text once and answers repeats from the cache', () => {
    countingChecks = 0;
    const cache = new StatementCache({ ...options, rules: [countingRule] });
    const first = cache.analyze('SELECT * FROM cache_users WHERE id = $1');
    for (let i = 0; i < 10; i += 1) expect(cache.analyze('SELECT * FROM cache_users WHERE id = $1')).toBe(first);
    expect(countingChecks).toBe(1);
    cache.analyze('SELECT broken FROM');
    expect(cache.counts()).toMatchObject({ hits: 10, misses: 2, unparseable: 1, entries: 2 });
  });

  it('stays within its entry and text caps, and does not cache overlong text', () => {
    const cache = new StatementCache({ ...options, maxSqlLength: 200 }, { maxEntries: 3, maxTextChars: 10_000 });
    for (let i = 0; i < 10; i += 1) cache.analyze(`SELECT * FROM t WHERE id = ${i}`);
    expect(cache.counts()).toMatchObject({ entries: 3, evictions: 7, misses: 10 });
    cache.analyze(`SELECT '${'y'.repeat(300)}'`);
    expect(cache.counts()).toMatchObject({ overlong: 1, entries: 3 });

    const byText = new StatementCache(options, { maxEntries: 100, maxTextChars: 100 });
    for (let i = 0; i < 10; i += 1) byText.analyze(`SELECT * FROM t WHERE id = ${i}`);
    expect(byText.counts().textChars).toBeLessThanOrEqual(100);
    expect(byText.counts().entries).toBeLessThan(10);
  });

  it('keeps a frequently used statement through a flood of new ones', () => {
    const cache = new StatementCache(options, { maxEntries: 50, maxTextChars: 1_000_000 });
    const hot = 'SELECT * FROM hot_table WHERE id = $1';
    const analysis = cache.analyze(hot);
    for (let i = 0; i < 500; i += 1) {
      cache.analyze(`SELECT * FROM flood WHERE id = ${i}`);
      expect(cache.analyze(hot)).toBe(analysis);
    }
    expect(cache.counts().misses).toBe(501);
  });
});
