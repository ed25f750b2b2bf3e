import type { Rule, RuleHit } from '../rule';
import { columnTypeName, str } from '../parse/nodeReaders';
import { asNode } from '../parse/parseTree';
import { alterTableCommands } from '../parse/writeStatements';
import { hitAt } from '../ruleWording';

export const rule: Rule = {
  id: 'changing-column-type',
  category: 'migration',
  severity: 'warning',
  description: 'ALTER TABLE … ALTER COLUMN … TYPE: most type changes rewrite the table and rebuild its indexes under an ACCESS EXCLUSIVE lock, and may break code that reads the column.',
  suggestion: 'Add a new column of the new type, backfill it in batches, switch the code over, then drop the old column; only binary-compatible changes (varchar(n) to text, a larger varchar) skip the rewrite.',
  sources: ['file'],
  check: ({ stmt }) =>
    alterTableCommands(stmt)
      .filter(({ subtype }) => subtype === 'AT_AlterColumnType')
      .map(({ table, command }): RuleHit => {
        const definition = asNode(command['def'], 'ColumnDef') ?? {};
        const type = columnTypeName(definition) || 'a new type';
        return hitAt(`column "${str(command, 'name') ?? ''}" of "${table}" changes type to ${type}, which can rewrite the table`, definition);
      }),
};
