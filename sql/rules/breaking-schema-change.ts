import type { Rule, RuleHit } from '../rule';
import { str, tableName } from '../parse/nodeReaders';
import { child, nodesOfType } from '../parse/parseTree';
import { alterTableCommands, droppedObjects } from '../parse/writeStatements';
import { hitAt, quotedList } from '../ruleWording';

export const rule: Rule = {
  id: 'breaking-schema-change',
  category: 'migration',
  severity: 'error',
  description: 'DROP COLUMN, DROP TABLE, or RENAME of a column or table in a migration: application code still deployed (old instances during a rolling deploy) fails on the name it uses.',
  suggestion: 'Expand and contract: deploy code that no longer uses the old name first, then drop it in a later migration; for a rename, add the new column (or a view under the new name), backfill, switch the code, and drop the old one last.',
  sources: ['file'],
  check: ({ stmt }) => {
    const droppedColumns = alterTableCommands(stmt)
      .filter(({ subtype }) => subtype === 'AT_DropColumn')
      .map(({ table, command, relation }): RuleHit => hitAt(`drops column "${str(command, 'name') ?? ''}" of "${table}"`, relation));
    const droppedTables = nodesOfType(stmt, 'DropStmt')
      .filter(({ fields }) => str(fields, 'removeType') === 'OBJECT_TABLE')
      .map(({ fields }): RuleHit => ({ message: `drops table ${quotedList(droppedObjects(fields))}` }));
    const renames = nodesOfType(stmt, 'RenameStmt').flatMap(({ fields }): RuleHit[] => {
      const relation = child(fields, 'relation') ?? {};
      const table = tableName(relation);
      const kind = str(fields, 'renameType');
      if (kind === 'OBJECT_COLUMN') return [hitAt(`renames column "${str(fields, 'subname') ?? ''}" of "${table}"`, relation)];
      return kind === 'OBJECT_TABLE' ? [hitAt(`renames table "${table}"`, relation)] : [];
    });
    return [...droppedColumns, ...droppedTables, ...renames];
  },
};
