/**
 * The optimizer rule catalogue against its named cases
 * (test/fixtures/rule-cases.ts): every rule fires on its `fail` cases and
 * stays silent on its `pass` cases, with messages that never repeat a literal
 * or bound value. Messages are snapshotted so a wording change is reviewed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModule, parseSync, scanSync } from 'libpg-query';
import type { PgNode, Rule, RuleContext, RuleHit, StatementSource } from '../../sql/rule';
import { ALL_RULES } from '../../sql/rules/index';
import { NO_SESSION, SessionTracker } from '../../sql/sessionTracker';
import { valueRulesReadParameters } from '../../sql/parameterReads';
import { RULE_CASES, type RuleCase } from '../fixtures/rule-cases';

beforeAll(async () => {
  await loadModule();
});

/** One statement of a text, parsed alone so that tree locations are offsets into its own text. */
interface Statement {
  readonly stmt: PgNode;
  readonly text: string;
}

function splitStatements(sql: string): readonly Statement[] {
  return (parseSync(sql).stmts ?? []).map((raw) => {
    const start = raw.stmt_location ?? 0;
    const text = raw.stmt_len ? sql.slice(start, start + raw.stmt_len) : sql.slice(start);
    const alone = parseSync(text).stmts?.[0];
    if (alone?.stmt === undefined) throw new Error(`statement did not parse alone: ${text}`);
    return { stmt: alone.stmt as PgNode, text };
  });
}

function sourceOf(rule: Rule, testCase: RuleCase): StatementSource {
  return testCase.source ?? rule.sources?.[0] ?? 'runtime';
}

/**
 * What the engine does with one rule (`values` explicit, so a test can
 * withhold them): skip statements from a source the rule does not judge,
 * else check each statement; a file's statements with what the ones before
 * them established (as `lintSql`), a runtime text's each alone.
 */
function runRule(rule: Rule, testCase: RuleCase, values: readonly unknown[] | undefined): readonly RuleHit[] {
  const source = sourceOf(rule, testCase);
  if (rule.sources !== undefined && !rule.sources.includes(source)) return [];
  const statements = splitStatements(testCase.sql);
  const tracker = source === 'file' ? new SessionTracker() : undefined;
  return statements.flatMap(({ stmt, text }) => {
    const ctx: RuleContext = { stmt, text, values, source, statementCount: statements.length, session: tracker ?? NO_SESSION };
    const hits = rule.check(ctx);
    tracker?.advance(stmt);
    return hits;
  });
}

/** The literal values written in a text (string, integer and float constants), unquoted. */
function literalsIn(sql: string): readonly string[] {
  return scanSync(sql)
    .tokens.filter((token) => token.tokenName === 'SCONST' || token.tokenName === 'ICONST' || token.tokenName === 'FCONST')
    .map((token) => token.text.replace(/^E?'|'$/g, '').replace(/^\$\w*\$|\$\w*\$$/g, '').replace(/''/g, "'"));
}

/**
 * The values no message may contain: strings of three characters or more and
 * numbers of five digits or more, written or bound. (Shorter ones would match
 * the counts and thresholds messages legitimately name.)
 */
function plantedValues(testCase: RuleCase): readonly string[] {
  const bound = (testCase.values ?? []).flatMap((value) => (Array.isArray(value) ? value : [value])).map(String);
  return [...literalsIn(testCase.sql), ...bound].filter((value) => (/^-?[\d.]+$/.test(value) ? value.replace(/\D/g, '').length >= 5 : value.length >= 3));
}

const casesOf = (rule: Rule) => RULE_CASES[rule.id] ?? { fail: [], pass: [] };

describe('the rule catalogue', () => {
  it('has unique kebab-case ids, and cases for exactly its rules', () => {
    const ids = ALL_RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z]+(-[a-z]+)*$/);
    expect(Object.keys(RULE_CASES).sort()).toEqual([...ids].sort());
  });

  it('covers the catalogue DESIGN.md names', () => {
    expect(ALL_RULES).toHaveLength(32);
  });

  it.each(ALL_RULES.map((rule) => [rule.id, rule] as const))('%s has at least three fail and three pass cases, a description and a suggestion', (_, rule) => {
    expect(casesOf(rule).fail.length).toBeGreaterThanOrEqual(3);
    expect(casesOf(rule).pass.length).toBeGreaterThanOrEqual(3);
    expect(rule.description.length).toBeGreaterThan(20);
    expect(rule.suggestion.length).toBeGreaterThan(20);
  });

  it('keeps migration rules to files and runtime-only rules to runtime', () => {
    const sourcesOf = (id: string) => ALL_RULES.find((rule) => rule.id === id)?.sources;
    for (const rule of ALL_RULES.filter((candidate) => candidate.category === 'migration')) expect(rule.sources).toEqual(['file']);
    for (const id of ['dangerous-runtime-ddl', 'stacked-statements', 'non-parameterized-literal']) expect(sourcesOf(id)).toEqual(['runtime']);
  });
});

/** Statement kinds outside the cases, to prove no rule throws on a tree shape it does not expect. */
const VARIED_STATEMENTS = [
  'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$',
  'DO $$ BEGIN PERFORM 1; END $$',
  'COPY t FROM STDIN',
  'EXPLAIN SELECT * FROM t',
  'VACUUM ANALYZE t',
  'MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = s.a WHEN NOT MATCHED THEN INSERT (id, a) VALUES (s.id, s.a)',
  'SELECT row_number() OVER (PARTITION BY a ORDER BY b) FROM t',
  'WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT n FROM r',
  'SELECT * FROM t FOR UPDATE SKIP LOCKED',
  'PREPARE p AS SELECT $1::int',
  "NOTIFY ch, 'payload'",
  'SET search_path = public',
  'GRANT SELECT ON t TO r',
  'CREATE MATERIALIZED VIEW mv AS SELECT a FROM t',
  'REFRESH MATERIALIZED VIEW CONCURRENTLY mv',
  'SELECT ARRAY(SELECT id FROM t)',
  "SELECT CASE WHEN a = 1 THEN 'x' ELSE 'y' END FROM t",
  'SELECT * FROM t1 NATURAL JOIN t2',
  'SELECT g FROM generate_series(1, 10) g',
  'SELECT x FROM (VALUES (1), (2)) v(x)',
  'INSERT INTO t (a) VALUES (1) RETURNING *',
  'CREATE EXTENSION IF NOT EXISTS pg_trgm',
  'SELECT a, b FROM t GROUP BY GROUPING SETS ((a), (b))',
  'SELECT id FROM t WHERE a LIKE $1 AND b = ANY($2) OFFSET $3',
];
// Values of every type pg accepts, none of which a rule may choke on.
const ODD_VALUES: readonly unknown[] = [null, { nested: true }, Buffer.from('%x'), 12_345_678_901n];

describe('every rule on statements outside its cases', () => {
  it.each(VARIED_STATEMENTS)('judges without throwing: %s', (sql) => {
    for (const rule of ALL_RULES) {
      for (const source of ['runtime', 'file'] as const) {
        for (const values of [undefined, ODD_VALUES]) expect(Array.isArray(runRule(rule, { sql, source }, values))).toBe(true);
      }
    }
  });
});

describe.each(ALL_RULES.map((rule) => [rule.id, rule] as const))('%s', (_, rule) => {
  const { fail, pass } = casesOf(rule);

  it.each(fail.map((testCase) => [testCase.sql.slice(0, 80), testCase] as const))('fires on %s', (_sql, testCase) => {
    const hits = runRule(rule, testCase, testCase.values);
    expect(hits.length).toBeGreaterThan(0);
    for (const hit of hits) {
      expect(hit.message.length).toBeGreaterThan(10);
      for (const value of plantedValues(testCase)) expect(hit.message).not.toContain(value);
    }
  });

  it.each(pass.map((testCase) => [testCase.sql.slice(0, 80), testCase] as const))('stays silent on %s', (_sql, testCase) => {
    expect(runRule(rule, testCase, testCase.values)).toEqual([]);
  });

  it('gives locations inside the statement text', () => {
    for (const testCase of fail) {
      const length = testCase.sql.length;
      for (const hit of runRule(rule, testCase, testCase.values)) {
        if (hit.location !== undefined) expect(hit.location).toBeGreaterThanOrEqual(0);
        if (hit.location !== undefined) expect(hit.location).toBeLessThan(length);
      }
    }
  });

  const located = fail.filter((testCase) => testCase.at !== undefined);
  if (located.length > 0) {
    it.each(located.map((testCase) => [testCase.at ?? '', testCase] as const))('points at %s', (at, testCase) => {
      const location = runRule(rule, testCase, testCase.values)[0]?.location ?? -1;
      expect(testCase.sql.slice(location, location + at.length)).toBe(at);
    });
  }

  if (rule.usesValues === true) {
    it('needs the values for at least one verdict, and still judges literals without them', () => {
      const dependsOnValues = [...fail, ...pass].some(
        (testCase) => testCase.values !== undefined && runRule(rule, testCase, testCase.values).length > 0 !== runRule(rule, testCase, undefined).length > 0,
      );
      expect(dependsOnValues).toBe(true);
      expect(fail.some((testCase) => testCase.values === undefined && runRule(rule, testCase, testCase.values).length > 0)).toBe(true);
    });

    it('reads a parameter of every statement whose verdict its values change, so the agent keeps that statement\'s tree', () => {
      for (const testCase of [...fail, ...pass].filter((candidate) => candidate.values !== undefined)) {
        if (runRule(rule, testCase, testCase.values).length > 0 === runRule(rule, testCase, undefined).length > 0) continue;
        const statements = splitStatements(testCase.sql).map((statement) => ({ ...statement, start: 0 }));
        expect(valueRulesReadParameters(statements, [rule], sourceOf(rule, testCase)), testCase.sql).toBe(true);
      }
    });
  } else {
    it('gives the same verdict with and without bound values', () => {
      for (const testCase of [...fail, ...pass].filter((candidate) => candidate.values !== undefined)) {
        expect(runRule(rule, testCase, undefined).length > 0).toBe(runRule(rule, testCase, testCase.values).length > 0);
      }
    });
  }

  it('renders the reviewed messages', () => {
    expect(fail.map((testCase) => runRule(rule, testCase, testCase.values).map((hit) => hit.message))).toMatchSnapshot();
  });
});
