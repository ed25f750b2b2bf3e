/**
 * docs/rules.md is the catalogue users read: every rule of every kind
 * (statement, plan, runtime, lint) has a row whose category, severity and
 * sources are the rule's own, and no row names a rule that does not exist.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_CATALOGUE } from '../../sql/catalogue/ruleCatalogue';

const doc = readFileSync(join(__dirname, '../../docs/rules.md'), 'utf8');

/** Catalogue rows: `| \`id\` | category | severity | sources | … |`. */
const rows = new Map(
  doc
    .split('\n')
    .filter((line) => /^\| `[a-z-]+` \| (performance|security|correctness|migration) \|/.test(line))
    .map((line) => {
      const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim());
      return [cells[1].replace(/`/g, ''), { category: cells[2], severity: cells[3], sources: cells[4] }] as const;
    }),
);

describe('docs/rules.md', () => {
  it.each(RULE_CATALOGUE.map((rule) => [rule.id, rule] as const))('documents %s as the code defines it', (_, rule) => {
    expect(rows.get(rule.id)).toEqual({ category: rule.category, severity: rule.severity, sources: rule.sources.join(', ') });
  });

  it('lists no rule the catalogue lacks', () => {
    expect([...rows.keys()].sort()).toEqual(RULE_CATALOGUE.map((rule) => rule.id).sort());
  });
});
