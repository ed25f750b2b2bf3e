/** The plan rules on a plan the test database makes now (needs PostgreSQL); the captured plans are judged in test/unit/plan-rules.test.ts. */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { analyzePlan } from '../../sql/plan/analyzePlan';
import { DEFAULT_PLAN_RULE_OPTIONS } from '../../sql/plan/planRule';

describe('plan rules on a live EXPLAIN', () => {
  it('flags a seq scan PostgreSQL plans now, sized from pg_class', async () => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' });
    await client.connect();
    const table = `ql_plan_rules_${process.pid}`;
    try {
      await client.query(`CREATE TABLE ${table} (id int, email text)`);
      await client.query(`INSERT INTO ${table} SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 20000) g`);
      await client.query(`ANALYZE ${table}`);
      const { rows: sizes } = await client.query<{ rows: number }>('SELECT reltuples::int AS rows FROM pg_class WHERE relname = $1', [table]);
      const { rows } = await client.query(`EXPLAIN (FORMAT JSON) SELECT * FROM ${table} WHERE email = 'user7@example.com'`);
      const findings = analyzePlan(rows[0]['QUERY PLAN'], {
        ...DEFAULT_PLAN_RULE_OPTIONS,
        relationRows: (relation) => (relation === table ? sizes[0].rows : undefined),
      });
      expect(findings.map((finding) => finding.rule)).toEqual(['plan-seq-scan-filter']);
      expect(JSON.stringify(findings)).not.toContain('user7');
    } finally {
      await client.query(`DROP TABLE IF EXISTS ${table}`);
      await client.end();
    }
  });
});
