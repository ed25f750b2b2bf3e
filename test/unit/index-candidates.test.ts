/** The index advisor's pure parts: candidates from the parse tree, coverage by existing indexes, the pg_stats estimate, the stale-statistics rule. */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSqlParser, sqlParser } from '../../sql/parse/parser';
import { indexCandidates } from '../../sql/advice/indexCandidates';
import { createIndexStatement, hypotheticalIndexStatement, type IndexCandidate } from '../../sql/advice/indexCandidate';
import { isCovered } from '../../sql/advice/indexCoverage';
import { candidateSelectivity, estimatedCostAfter } from '../../sql/advice/statisticsEstimate';
import { analyzePlan } from '../../sql/plan/analyzePlan';
import { DEFAULT_PLAN_RULE_OPTIONS, type RelationStatistics } from '../../sql/plan/planRule';
import { relationSize } from '../../sql/planRules/plan-stale-statistics';

beforeAll(async () => {
  await loadSqlParser();
});

function ddlFor(text: string): string[] {
  const statement = sqlParser()!.parse(text).stmts[0].stmt;
  return indexCandidates(statement).map(createIndexStatement);
}

describe('index candidates', () => {
  it('puts equality columns first, then one range column, at most three', () => {
    expect(ddlFor('SELECT id FROM orders WHERE customer_id = $1 AND region = $2 AND created_at > $3')).toEqual([
      'CREATE INDEX CONCURRENTLY ON orders (customer_id);',
      'CREATE INDEX CONCURRENTLY ON orders (customer_id, region);',
      'CREATE INDEX CONCURRENTLY ON orders (customer_id, region, created_at);',
    ]);
    expect(ddlFor('SELECT id FROM t WHERE a = $1 AND b = $2 AND c IN (1, 2) AND d = $3')).toContain('CREATE INDEX CONCURRENTLY ON t (a, b, c);');
    expect(ddlFor('SELECT id FROM t WHERE a = $1 AND b = $2 AND c = $3 AND d = $4').every((ddl) => (ddl.match(/,/g) ?? []).length <= 2)).toBe(true);
  });

  it('counts only `=`, IN and `= ANY` as equality, not their negations', () => {
    expect(ddlFor('SELECT id FROM orders WHERE region NOT IN (1, 2) AND customer_id = $1')).toEqual(['CREATE INDEX CONCURRENTLY ON orders (customer_id);']);
    expect(ddlFor('SELECT id FROM orders WHERE region <> ANY($1) AND customer_id = $2')).toEqual(['CREATE INDEX CONCURRENTLY ON orders (customer_id);']);
    expect(ddlFor('SELECT id FROM orders WHERE region != $1 AND status <> $2')).toEqual([]);
    expect(ddlFor('SELECT id FROM orders WHERE region IN (1, 2) AND customer_id = ANY($1)')).toContain('CREATE INDEX CONCURRENTLY ON orders (region, customer_id);');
  });

  it('follows the ORDER BY, with its directions, when there is no range column', () => {
    expect(ddlFor('SELECT id, total FROM ql_demo_orders WHERE customer_id = $1 ORDER BY total DESC LIMIT 3')).toEqual([
      'CREATE INDEX CONCURRENTLY ON ql_demo_orders (customer_id);',
      'CREATE INDEX CONCURRENTLY ON ql_demo_orders (customer_id, total DESC);',
    ]);
  });

  it('does not sort by an output name or after aggregation: an index on the table cannot give that order', () => {
    expect(ddlFor('SELECT customer_id, sum(total) AS spent FROM orders WHERE md5(note) LIKE $1 GROUP BY customer_id ORDER BY spent DESC LIMIT 5')).toEqual([]);
    expect(ddlFor('SELECT count(*) FROM orders WHERE region = $1 ORDER BY 1')).toEqual(['CREATE INDEX CONCURRENTLY ON orders (region);']);
    expect(ddlFor('SELECT total AS amount FROM orders WHERE region = $1 ORDER BY amount')).toEqual(['CREATE INDEX CONCURRENTLY ON orders (region);']);
  });

  it('makes partial variants of constant predicates that carry no value', () => {
    expect(ddlFor('SELECT id FROM orders WHERE shipped_at IS NULL AND region = $1 AND active = true')).toEqual([
      'CREATE INDEX CONCURRENTLY ON orders (region);',
      'CREATE INDEX CONCURRENTLY ON orders (region) WHERE shipped_at IS NULL AND active IS TRUE;',
    ]);
    expect(ddlFor('SELECT id FROM orders WHERE deleted_at IS NOT NULL')).toEqual(['CREATE INDEX CONCURRENTLY ON orders (deleted_at) WHERE deleted_at IS NOT NULL;']);
  });

  it('never puts a value of the statement into the index: an equality with a constant is a key column', () => {
    const ddl = ddlFor("SELECT id FROM orders WHERE status = 'secret-status' AND region = $1");
    expect(ddl.join(' ')).not.toContain('secret-status');
    expect(ddl).toContain('CREATE INDEX CONCURRENTLY ON orders (status, region);');
  });

  it('reads join keys and qualified columns per table, and schema-qualified, quoted names', () => {
    expect(ddlFor('SELECT o.id FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.email = $1')).toEqual([
      // The WHERE's columns before the join keys: the filter decides which rows are read.
      'CREATE INDEX CONCURRENTLY ON customers (email);',
      'CREATE INDEX CONCURRENTLY ON customers (email, id);',
      'CREATE INDEX CONCURRENTLY ON orders (customer_id);',
    ]);
    expect(ddlFor('SELECT 1 FROM shop."Orders" WHERE "order" = $1')).toEqual(['CREATE INDEX CONCURRENTLY ON shop."Orders" ("order");']);
  });

  it('reads no OR branch, subquery, set operation or write', () => {
    expect(ddlFor('SELECT id FROM orders WHERE a = $1 OR b = $2')).toEqual([]);
    expect(ddlFor('SELECT id FROM orders WHERE id IN (SELECT order_id FROM lines WHERE sku = $1)')).toEqual([]);
    expect(ddlFor('SELECT id FROM a WHERE x = 1 UNION SELECT id FROM b WHERE y = 2')).toEqual([]);
    expect(ddlFor('UPDATE orders SET total = 0 WHERE customer_id = $1')).toEqual([]);
  });

  it('hands HypoPG the plain CREATE INDEX', () => {
    const candidate: IndexCandidate = { table: 'orders', columns: [{ name: 'customer_id', descending: false }], equalityColumns: 1, rangeColumns: 0, where: [] };
    expect(hypotheticalIndexStatement(candidate)).toBe('CREATE INDEX ON orders (customer_id)');
  });
});

describe('coverage by existing indexes', () => {
  const candidate: IndexCandidate = {
    table: 'orders', columns: [{ name: 'a', descending: false }, { name: 'b', descending: false }, { name: 'c', descending: false }], equalityColumns: 2, rangeColumns: 1, where: [],
  };
  it('counts a B-tree whose leading columns are the equality columns in any order, then the rest in order', () => {
    expect(isCovered([{ columns: ['b', 'a', 'c', 'd'], partial: false, method: 'btree' }], candidate)).toBe(true);
    expect(isCovered([{ columns: ['a', 'c', 'b'], partial: false, method: 'btree' }], candidate)).toBe(false);
    expect(isCovered([{ columns: ['a', 'b'], partial: false, method: 'btree' }], candidate)).toBe(false);
  });
  it('does not count partial, expression or non-B-tree indexes', () => {
    expect(isCovered([{ columns: ['a', 'b', 'c'], partial: true, method: 'btree' }], candidate)).toBe(false);
    expect(isCovered([{ columns: [null, 'b', 'c'], partial: false, method: 'btree' }], candidate)).toBe(false);
    expect(isCovered([{ columns: ['a', 'b', 'c'], partial: false, method: 'hash' }], candidate)).toBe(false);
  });
});

describe('the pg_stats estimate', () => {
  const table = { rows: 200_000, pages: 1_500 };
  const byCustomer: IndexCandidate = { table: 't', columns: [{ name: 'customer_id', descending: false }], equalityColumns: 1, rangeColumns: 0, where: [] };
  it('takes the selectivity of an equality from n_distinct and the null fraction, or PostgreSQL\'s default without statistics', () => {
    expect(candidateSelectivity(byCustomer, table, () => ({ nullFraction: 0, distinct: 2000 }))).toBeCloseTo(1 / 2000);
    expect(candidateSelectivity(byCustomer, table, () => ({ nullFraction: 0.5, distinct: -0.5 }))).toBeCloseTo(0.5 / 100_000);
    expect(candidateSelectivity(byCustomer, table, () => undefined)).toBe(0.005);
  });
  it('counts an ORDER BY column as no filter: an order-only index reads every row', () => {
    const byOrder: IndexCandidate = { table: 't', columns: [{ name: 'created_at', descending: false }], equalityColumns: 0, rangeColumns: 0, where: [] };
    expect(candidateSelectivity(byOrder, table, () => undefined)).toBe(1);
    expect(candidateSelectivity({ ...byOrder, rangeColumns: 1 }, table, () => undefined)).toBeCloseTo(1 / 3);
  });

  it('replaces the scan\'s cost by the index scan\'s: far below for a selective column, no gain for a useless one', () => {
    const after = estimatedCostAfter(4_000, 3_900, byCustomer, table, () => ({ nullFraction: 0, distinct: 2000 }));
    expect(after).toBeLessThan(2_000);
    expect(estimatedCostAfter(4_000, 3_900, byCustomer, table, () => ({ nullFraction: 0, distinct: 2 }))).toBeGreaterThan(2_000);
  });
});

describe('plans on tables without statistics', () => {
  const neverAnalyzed: RelationStatistics = { estimatedRows: -1, liveRows: 200_000, modifiedSinceAnalyze: 200_000, analyzed: false };
  const fresh: RelationStatistics = { estimatedRows: 200_000, liveRows: 200_100, modifiedSinceAnalyze: 100, analyzed: true };
  const plan = [{ Plan: { 'Node Type': 'Seq Scan', 'Relation Name': 'orders', Alias: 'orders', 'Total Cost': 3600, 'Plan Rows': 1000, 'Plan Width': 8, Filter: '(customer_id = $1)' } }];
  const optionsWith = (stats: RelationStatistics) => ({
    ...DEFAULT_PLAN_RULE_OPTIONS,
    relationRows: () => relationSize(stats, DEFAULT_PLAN_RULE_OPTIONS.staleStatisticsFraction),
    relationStatistics: () => stats,
  });

  it('sizes the table from n_live_tup where reltuples is -1 or stale, and says to ANALYZE it', () => {
    expect(relationSize(neverAnalyzed, 0.5)).toBe(200_000);
    expect(relationSize({ ...fresh, modifiedSinceAnalyze: 150_000, liveRows: 350_000 }, 0.5)).toBe(350_000);
    const findings = analyzePlan(plan, optionsWith(neverAnalyzed));
    expect(findings.map((finding) => finding.rule)).toEqual(['plan-seq-scan-filter', 'plan-stale-statistics']);
    expect(findings[1].message).toBe('"orders" has never been analyzed (pg_class.reltuples = -1, 200,000 live rows): run ANALYZE orders;');
  });

  it('says nothing of fresh statistics or of a small table', () => {
    expect(analyzePlan(plan, optionsWith(fresh)).map((finding) => finding.rule)).toEqual(['plan-seq-scan-filter']);
    expect(analyzePlan(plan, optionsWith({ ...neverAnalyzed, liveRows: 500 })).map((finding) => finding.rule)).toEqual([]);
  });

  it('names the rows written since the last ANALYZE when they outnumber half of those it counted', () => {
    const stale = analyzePlan(plan, optionsWith({ ...fresh, liveRows: 400_000, modifiedSinceAnalyze: 200_000 })).find((finding) => finding.rule === 'plan-stale-statistics');
    expect(stale?.message).toBe('"orders" has 200,000 rows written since its last ANALYZE, which counted 200,000: run ANALYZE orders;');
  });
});
