import { beforeAll, describe, expect, it } from 'vitest';
import { loadSqlParser, sqlParser, type SqlParser } from '../../sql/parse/parser';
import { REDACTED, sanitizePlan, summarizePlan } from '../../sql/plan/planSanitizer';

let parser: SqlParser;
beforeAll(async () => {
  await loadSqlParser();
  parser = sqlParser()!;
});

const SECRET = 'hunter2-secret@example.com';

// The shape PostgreSQL prints for `EXPLAIN (FORMAT JSON)` with bound values.
const plan = [{
  Plan: {
    'Node Type': 'Gather',
    'Total Cost': 1693.1,
    'Plan Rows': 1,
    Plans: [{
      'Node Type': 'Seq Scan',
      'Parent Relationship': 'Outer',
      'Relation Name': 'accounts',
      Alias: 'a',
      'Total Cost': 1692.0,
      'Plan Rows': 1,
      Filter: `((email)::text = '${SECRET}'::text) AND (id > 4242)`,
      'Sort Key': [`lower('${SECRET}'::text)`],
    }],
  },
}];

describe('sanitizePlan', () => {
  it('removes literal values from expressions and keeps names and figures', () => {
    const clean = sanitizePlan(plan, parser);
    const json = JSON.stringify(clean);
    expect(json).not.toContain(SECRET);
    expect(json).not.toContain('4242');
    const scan = (clean as typeof plan)[0]!.Plan.Plans[0]!;
    expect(scan.Filter).toBe('((email)::text = ?::text) AND (id > ?)');
    expect(scan['Relation Name']).toBe('accounts');
    expect(scan['Total Cost']).toBe(1692.0);
    expect(scan['Sort Key']).toEqual(['lower(?::text)']);
  });

  it('replaces a string the scanner cannot read', () => {
    const clean = sanitizePlan([{ Plan: { 'Node Type': 'Result', 'One-Time Filter': `'${SECRET}` } }], parser);
    expect(JSON.stringify(clean)).not.toContain(SECRET);
    expect(JSON.stringify(clean)).toContain(REDACTED);
  });
});

describe('summarizePlan', () => {
  it('names the root and the sequential scans under it', () => {
    expect(summarizePlan(plan)).toBe('Gather (cost 1693.1, rows 1); Seq Scan on "accounts"');
    expect(summarizePlan('not a plan')).toBe('no plan');
  });
});
