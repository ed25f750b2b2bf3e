/**
 * The fixes migration rules offer (sql/fixes/): the statements each writes
 * from the flagged one (names as written), that every one parses, where none
 * is offered, and that a file with every fix applied at its region lints clean
 * of the rules that flagged it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSqlParser, sqlParser } from '../../sql/parse/parser';
import { lintSql, type LintFinding } from '../../sql/lint/lintSql';
import { analyzeStatement } from '../../sql/analyzeStatement';
import { isReportableFix } from '../../sql/fixes/statementFix';

beforeAll(async () => {
  await loadSqlParser();
});

function findings(sql: string, postgresVersion?: number): LintFinding[] {
  return lintSql(sql, { disabledRules: new Set(), postgresVersion }).findings;
}

function fixOf(sql: string, rule: string, postgresVersion?: number) {
  const found = findings(sql, postgresVersion).filter((finding) => finding.rule === rule);
  expect(found).toHaveLength(1);
  return found[0].fix;
}

/** Every fix's statements, each parsed alone: exactly one statement. */
function expectParses(statements: readonly string[]): void {
  for (const statement of statements) expect(sqlParser()?.parse(statement).stmts).toHaveLength(1);
}

const CASES: ReadonlyArray<readonly [string, string, string, readonly string[], boolean]> = [
  ['CREATE INDEX', 'require-concurrent-index', 'CREATE INDEX users_email ON users (email);',
    ['CREATE INDEX CONCURRENTLY users_email ON users (email)'], true],
  ['CREATE UNIQUE INDEX IF NOT EXISTS, quoted names, a partial predicate', 'require-concurrent-index',
    'create unique index if not exists "Ix_Total" on public."Orders" (lower("Note")) where total > 0;',
    ['create unique index CONCURRENTLY if not exists "Ix_Total" on public."Orders" (lower("Note")) where total > 0'], true],
  ['DROP INDEX of several names, one statement each', 'require-concurrent-index', 'DROP INDEX IF EXISTS a, "B", s.c RESTRICT;',
    ['DROP INDEX CONCURRENTLY IF EXISTS a', 'DROP INDEX CONCURRENTLY IF EXISTS "B"', 'DROP INDEX CONCURRENTLY IF EXISTS s.c'], true],
  ['REINDEX TABLE with options', 'require-concurrent-index', 'REINDEX (VERBOSE) TABLE public."Orders";',
    ['REINDEX (VERBOSE) TABLE CONCURRENTLY public."Orders"'], true],
  ['REINDEX INDEX', 'require-concurrent-index', 'REINDEX INDEX orders_pkey;', ['REINDEX INDEX CONCURRENTLY orders_pkey'], true],
  ['REFRESH MATERIALIZED VIEW', 'require-concurrent-refresh', 'REFRESH MATERIALIZED VIEW "Daily" WITH DATA;',
    ['REFRESH MATERIALIZED VIEW CONCURRENTLY "Daily" WITH DATA'], false],
  ['ADD CONSTRAINT … FOREIGN KEY', 'constraint-missing-not-valid',
    'ALTER TABLE ONLY public."Orders" ADD CONSTRAINT "Orders_Customer_fk" FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE;',
    [
      'ALTER TABLE ONLY public."Orders" ADD CONSTRAINT "Orders_Customer_fk" FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE NOT VALID',
      'ALTER TABLE ONLY public."Orders" VALIDATE CONSTRAINT "Orders_Customer_fk"',
    ], false],
  ['ADD CONSTRAINT … CHECK', 'constraint-missing-not-valid', 'ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0);',
    ['ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0) NOT VALID', 'ALTER TABLE orders VALIDATE CONSTRAINT total_positive'], false],
  ['SET NOT NULL', 'set-not-null', 'ALTER TABLE IF EXISTS "Orders" ALTER COLUMN "Total" SET NOT NULL;',
    [
      'ALTER TABLE IF EXISTS "Orders" ADD CONSTRAINT "Orders_Total_not_null_check" CHECK ("Total" IS NOT NULL) NOT VALID',
      'ALTER TABLE IF EXISTS "Orders" VALIDATE CONSTRAINT "Orders_Total_not_null_check"',
      'ALTER TABLE IF EXISTS "Orders" ALTER COLUMN "Total" SET NOT NULL',
      'ALTER TABLE IF EXISTS "Orders" DROP CONSTRAINT "Orders_Total_not_null_check"',
    ], false],
  ['SET NOT NULL without COLUMN, a plain name', 'set-not-null', 'ALTER TABLE orders ALTER total SET NOT NULL;',
    [
      'ALTER TABLE orders ADD CONSTRAINT orders_total_not_null_check CHECK (total IS NOT NULL) NOT VALID',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_not_null_check',
      'ALTER TABLE orders ALTER total SET NOT NULL',
      'ALTER TABLE orders DROP CONSTRAINT orders_total_not_null_check',
    ], false],
];

describe('fixes of the migration rules', () => {
  it.each(CASES)('%s', (_name, rule, sql, statements, outsideTransaction) => {
    const fix = fixOf(sql, rule);
    expect(fix?.statements).toEqual(statements);
    expect(fix?.outsideTransaction).toBe(outsideTransaction);
    expect(fix?.description.length).toBeGreaterThan(20);
    expect(fix?.replacement).toBe(statements.join(';\n'));
    expectParses(statements);
  });

  it('names the region of the statement, its `;` and the comments before it left out, in lines, characters and bytes', () => {
    const sql = '-- é: a comment\nSELECT 1;\n  CREATE INDEX "é" ON t (a) ; -- after\n';
    const fix = fixOf(sql, 'require-concurrent-index');
    const start = sql.indexOf('CREATE');
    const end = sql.indexOf(') ;') + 1;
    expect(fix?.region).toEqual({
      startLine: 3, startColumn: 3, endLine: 3, endColumn: 3 + (end - start),
      charOffset: start, charLength: end - start,
      byteOffset: Buffer.byteLength(sql.slice(0, start)), byteLength: Buffer.byteLength(sql.slice(start, end)),
    });
    expect(Buffer.from(sql).subarray(fix?.region.byteOffset, (fix?.region.byteOffset ?? 0) + (fix?.region.byteLength ?? 0)).toString()).toBe('CREATE INDEX "é" ON t (a)');
  });

  it('a file with every fix applied at its region has none of the findings that offered them', () => {
    const sql = CASES.map(([, , statement]) => statement).join('\n-- next\n');
    const fixed = findings(sql).filter((finding) => finding.fix !== undefined)
      .sort((a, b) => (b.fix?.region.charOffset ?? 0) - (a.fix?.region.charOffset ?? 0))
      .reduce((text, { fix }) => (fix === undefined ? text : text.slice(0, fix.region.charOffset) + fix.replacement + text.slice(fix.region.charOffset + fix.region.charLength)), sql);
    expect(fixed).not.toBe(sql);
    const rules = new Set(CASES.map(([, rule]) => rule));
    expect(findings(fixed).filter((finding) => rules.has(finding.rule))).toEqual([]);
  });

  it.each([
    ['an unnamed constraint (VALIDATE needs its name)', 'constraint-missing-not-valid', 'ALTER TABLE orders ADD CHECK (total > 0);', undefined],
    ['an ALTER TABLE of several commands', 'set-not-null', 'ALTER TABLE orders ALTER total SET NOT NULL, ADD COLUMN note text;', undefined],
    ['DROP INDEX … CASCADE (CONCURRENTLY refuses it)', 'require-concurrent-index', 'DROP INDEX orders_total CASCADE;', undefined],
    ['REINDEX SCHEMA (its concurrent form skips the system catalogs)', 'require-concurrent-index', 'REINDEX SCHEMA public;', undefined],
    ['CREATE INDEX ON ONLY (a partitioned table)', 'require-concurrent-index', 'CREATE INDEX i ON ONLY measurements (at);', undefined],
    ['REINDEX for PostgreSQL 11', 'require-concurrent-index', 'REINDEX TABLE orders;', 11],
    ['SET NOT NULL for PostgreSQL 11 (it would scan anyway)', 'set-not-null', 'ALTER TABLE orders ALTER total SET NOT NULL;', 11],
  ])('offers no fix for %s', (_name, rule, sql, postgresVersion) => {
    expect(fixOf(sql, rule, postgresVersion)).toBeUndefined();
  });

  it.each([
    ['CREATE INDEX', 'require-concurrent-index', 'CREATE INDEX i ON orders (total);'],
    ['DROP INDEX', 'require-concurrent-index', 'DROP INDEX i;'],
    ['ADD CONSTRAINT', 'constraint-missing-not-valid', 'ALTER TABLE orders ADD CONSTRAINT c CHECK (total > 0);'],
    ['SET NOT NULL', 'set-not-null', 'ALTER TABLE orders ALTER total SET NOT NULL;'],
  ])('offers no fix for %s inside a BEGIN block of the file (CONCURRENTLY fails there; VALIDATE would hold the ADD\'s lock)', (_name, rule, sql) => {
    expect(fixOf(`BEGIN;\n${sql}\nCOMMIT;`, rule)).toBeUndefined();
    expect(fixOf(sql, rule)).toBeDefined();
  });

  it('the same fixes for a REINDEX and a SET NOT NULL that target PostgreSQL 12', () => {
    expect(fixOf('REINDEX TABLE orders;', 'require-concurrent-index', 12)?.statements).toEqual(['REINDEX TABLE CONCURRENTLY orders']);
    expect(fixOf('ALTER TABLE orders ALTER total SET NOT NULL;', 'set-not-null', 12)?.statements).toHaveLength(4);
  });

  it('cuts a made-up check name to the 63 bytes PostgreSQL keeps, and reads a long table name as the parser cuts it', () => {
    const long = `t${'x'.repeat(70)}`;
    const statements = fixOf(`ALTER TABLE ${long} ALTER c SET NOT NULL;`, 'set-not-null')?.statements ?? [];
    expect(statements[1]).toBe(`ALTER TABLE ${long} VALIDATE CONSTRAINT ${`${long}_c_not_null_check`.slice(0, 63)}`);
    expectParses(statements);
  });
});

describe('fixes at runtime', () => {
  const options = { maxSqlLength: 100_000, disabledRules: new Set<string>(), source: 'runtime' as const };

  it('a REFRESH MATERIALIZED VIEW the app sends carries its fix into the analysis', () => {
    const finding = analyzeStatement('REFRESH MATERIALIZED VIEW daily_totals', options).findings.find((candidate) => candidate.rule === 'require-concurrent-refresh');
    expect(finding?.fix?.statements).toEqual(['REFRESH MATERIALIZED VIEW CONCURRENTLY daily_totals']);
  });

  it('a fix holding a constant, or longer than the bound, never reaches the report', () => {
    const fix = { description: 'd', statements: ["ALTER TABLE t ADD CONSTRAINT c CHECK (note <> 'secret') NOT VALID"], outsideTransaction: false, replaces: { start: 0, end: 1 } };
    expect(isReportableFix(fix, 2_000)).toBe(false);
    expect(isReportableFix({ ...fix, statements: ['ALTER TABLE t VALIDATE CONSTRAINT c'] }, 2_000)).toBe(true);
    expect(isReportableFix({ ...fix, statements: ['ALTER TABLE t VALIDATE CONSTRAINT c'] }, 10)).toBe(false);
  });
});
