/**
 * Every fix `querylens lint` offers for a migration, run against the real
 * PostgreSQL, in a database of its own (CONCURRENTLY waits for the other
 * transactions of its database: other tests' must not hold it up), and the
 * end state checked: indexes built and valid, old ones gone, every index of
 * a REINDEXed table rebuilt, constraints validated, the column NOT NULL and
 * the helper check dropped, the materialized view refreshed.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintSql, type LintFinding } from '../../sql/lint/lintSql';
import { loadSqlParser } from '../../sql/parse/parser';

const SERVER = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DATABASE = `ql_fixes_${process.pid}`;

const SETUP = `
CREATE TABLE customers (id int PRIMARY KEY);
CREATE TABLE "Orders" (id int PRIMARY KEY, customer_id int, total int, "Note" text, note text);
INSERT INTO customers SELECT g FROM generate_series(1, 50) g;
INSERT INTO "Orders" SELECT g, 1 + g % 50, 1 + g % 90, 'n' || g, 'm' || g FROM generate_series(1, 5000) g;
CREATE INDEX old_a ON "Orders" (customer_id);
CREATE INDEX "Old_B" ON "Orders" (total);
CREATE MATERIALIZED VIEW daily_totals AS SELECT customer_id, sum(total) AS total FROM "Orders" GROUP BY customer_id;
CREATE UNIQUE INDEX daily_totals_customer ON daily_totals (customer_id);
INSERT INTO customers VALUES (51);
INSERT INTO "Orders" VALUES (5001, 51, 7, 'late', 'late');
`;

const MIGRATION = `-- 007: what the fixes rewrite
CREATE INDEX "Orders_Total_ix" ON "Orders" (total) WHERE total > 10;
CREATE UNIQUE INDEX orders_note_uq ON "Orders" (lower(note));
DROP INDEX old_a, "Old_B";
REINDEX TABLE "Orders";
REINDEX INDEX "Orders_Total_ix";
ALTER TABLE "Orders" ADD CONSTRAINT "Orders_Customer_fk" FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE "Orders" ADD CONSTRAINT total_positive CHECK (total > 0);
ALTER TABLE "Orders" ALTER COLUMN "Note" SET NOT NULL;
REFRESH MATERIALIZED VIEW daily_totals;
`;

let admin: pg.Client;
let client: pg.Client;
let fixed: LintFinding[] = [];

function connect(database: string): pg.Client {
  const url = new URL(SERVER);
  url.pathname = `/${database}`;
  return new pg.Client({ connectionString: url.toString() });
}

async function rows<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
  return (await client.query<T>(sql, values)).rows;
}

beforeAll(async () => {
  await loadSqlParser();
  admin = connect(new URL(SERVER).pathname.slice(1) || 'postgres');
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE}`);
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  client = connect(DATABASE);
  await client.connect();
  await client.query(SETUP);
  fixed = lintSql(MIGRATION, { disabledRules: new Set() }).findings.filter((finding) => finding.fix !== undefined);
}, 60_000);

afterAll(async () => {
  await client?.end();
  await admin?.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin?.end();
});

describe('the fixes lint offers, run against PostgreSQL', () => {
  it('offers one for every statement of the migration', () => {
    expect(fixed.map((finding) => finding.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('says outsideTransaction exactly where PostgreSQL refuses the statement in a transaction block', async () => {
    for (const { fix } of fixed) {
      await client.query('BEGIN');
      const error = await client.query(fix?.statements[0] ?? '').then(() => undefined, (failed: { code?: string }) => failed.code);
      await client.query('ROLLBACK');
      expect(error, fix?.statements[0]).toBe(fix?.outsideTransaction === true ? '25001' : undefined);
    }
  });

  it('runs, one statement per transaction, to the state the statement meant; SET NOT NULL skips its scan', async () => {
    const [{ filenode: pkeyBefore }] = await rows<{ filenode: string }>(`SELECT pg_relation_filenode('"Orders_pkey"') AS filenode`);
    const notices: string[] = [];
    client.on('notice', (notice) => notices.push(notice.message ?? ''));
    // PostgreSQL says at DEBUG1 when a valid CHECK spares SET NOT NULL its scan of the table.
    await client.query('SET client_min_messages = debug1');
    for (const { fix } of fixed) for (const statement of fix?.statements ?? []) await client.query(statement);
    await client.query('RESET client_min_messages');
    expect(notices).toContainEqual(expect.stringMatching(/^existing constraints on column "Orders\.Note" are sufficient to prove that it does not contain nulls$/));

    const indexes = await rows<{ name: string; valid: boolean; unique: boolean }>(
      `SELECT c.relname AS name, i.indisvalid AS valid, i.indisunique AS unique FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       WHERE i.indrelid = '"Orders"'::regclass ORDER BY c.relname`);
    // Built and valid, the dropped ones gone, and no leftover of a concurrent build or rebuild (an INVALID `_ccnew` index).
    expect(indexes).toEqual([
      { name: 'Orders_Total_ix', valid: true, unique: false },
      { name: 'Orders_pkey', valid: true, unique: true },
      { name: 'orders_note_uq', valid: true, unique: true },
    ]);
    const [{ filenode: pkeyAfter }] = await rows<{ filenode: string }>(`SELECT pg_relation_filenode('"Orders_pkey"') AS filenode`);
    expect(pkeyAfter).not.toBe(pkeyBefore);

    const constraints = await rows<{ name: string; type: string; validated: boolean }>(
      `SELECT conname AS name, contype AS type, convalidated AS validated FROM pg_constraint WHERE conrelid = '"Orders"'::regclass AND contype IN ('c', 'f') ORDER BY conname`);
    // The helper check of SET NOT NULL was dropped after use.
    expect(constraints).toEqual([
      { name: 'Orders_Customer_fk', type: 'f', validated: true },
      { name: 'total_positive', type: 'c', validated: true },
    ]);
    const [column] = await rows<{ notnull: boolean }>(`SELECT attnotnull AS notnull FROM pg_attribute WHERE attrelid = '"Orders"'::regclass AND attname = 'Note'`);
    expect(column.notnull).toBe(true);

    // The order added after the view was built is in it: the concurrent refresh ran.
    expect(await rows('SELECT total::int FROM daily_totals WHERE customer_id = 51')).toEqual([{ total: 7 }]);
  }, 60_000);

  it('validates while another transaction writes to the table, where the constraint added in one step waits for it', async () => {
    await client.query('CREATE TABLE ql_fixes_lock (id int, total int)');
    await client.query('INSERT INTO ql_fixes_lock SELECT g, g FROM generate_series(1, 1000) g');
    const [{ fix }] = lintSql('ALTER TABLE ql_fixes_lock ADD CONSTRAINT ql_fixes_lock_total CHECK (total > 0);', { disabledRules: new Set() }).findings;
    const [add, validate] = fix?.statements ?? [];
    await client.query(add);
    const writer = connect(DATABASE);
    await writer.connect();
    try {
      await writer.query('BEGIN');
      await writer.query('INSERT INTO ql_fixes_lock VALUES (1001, 1001)');
      await client.query("SET lock_timeout = '1s'");
      const original = await client.query('ALTER TABLE ql_fixes_lock ADD CONSTRAINT ql_fixes_lock_probe CHECK (total > 0)').then(() => undefined, (failed: { code?: string }) => failed.code);
      expect(original).toBe('55P03');
      await client.query(validate);
      await writer.query('COMMIT');
    } finally {
      await client.query('RESET lock_timeout');
      await writer.end();
    }
    expect(await rows(`SELECT convalidated AS validated FROM pg_constraint WHERE conname = 'ql_fixes_lock_total'`)).toEqual([{ validated: true }]);
  });

  it('leaves constraints that still hold: a row breaking them is refused', async () => {
    const violation = (sql: string) => client.query(sql).then(() => undefined, (failed: { code?: string }) => failed.code);
    expect(await violation(`INSERT INTO "Orders" VALUES (9001, 999, 5, 'x', 'x9001')`)).toBe('23503');
    expect(await violation(`INSERT INTO "Orders" VALUES (9002, 1, -1, 'x', 'x9002')`)).toBe('23514');
    expect(await violation(`INSERT INTO "Orders" VALUES (9003, 1, 5, NULL, 'x9003')`)).toBe('23502');
  });
});
