import type { Rule, RuleHit } from '../rule';
import { alterTableCommands, child, droppedObjects, nodesOfType, quotedList, str, tableName } from '../parseTree';

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
      .map(({ table, command }): RuleHit => ({ message: `drops column "${str(command, 'name') ?? ''}" of "${table}"` }));
    const droppedTables = nodesOfType(stmt, 'DropStmt')
      .filter(({ fields }) => str(fields, 'removeType') === 'OBJECT_TABLE')
      .map(({ fields }): RuleHit => {
        return { message: `drops table ${quotedList(droppedObjects(fields))}` };
      });
    const renames = nodesOfType(stmt, 'RenameStmt').flatMap(({ fields }): RuleHit[] => {
      const table = tableName(child(fields, 'relation') ?? {});
      const kind = str(fields, 'renameType');
      if (kind === 'OBJECT_COLUMN') return [{ message: `renames column "${str(fields, 'subname') ?? ''}" of "${table}"` }];
      return kind === 'OBJECT_TABLE' ? [{ message: `renames table "${table}"` }] : [];
    });
    return [...droppedColumns, ...droppedTables, ...renames];
  },
};
