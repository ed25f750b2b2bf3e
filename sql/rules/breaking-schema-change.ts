import type { Rule, RuleHit } from '../rule';
import { str, tableName } from '../parse/nodeReaders';
import { child, nodesOfType } from '../parse/parseTree';
import { alterTableCommands, droppedObjects } from '../parse/writeStatements';
import { hitAt, quotedList } from '../ruleWording';

/** The relations a query can name, as messages call them. */
const RELATION_KINDS: Readonly<Record<string, string>> = { OBJECT_TABLE: 'table', OBJECT_VIEW: 'view', OBJECT_MATVIEW: 'materialized view' };

export const rule: Rule = {
  id: 'breaking-schema-change',
  category: 'migration',
  severity: 'error',
  description: 'DROP COLUMN, DROP TABLE, DROP VIEW, DROP MATERIALIZED VIEW, or RENAME of a column, table, view or materialized view in a migration: application code still deployed (old instances during a rolling deploy) fails on the name it uses.',
  suggestion: 'Expand and contract: deploy code that no longer uses the old name first, then drop it in a later migration; for a rename, add the new column (or a view under the new name), backfill, switch the code, and drop the old one last. To change a view\'s query, CREATE OR REPLACE VIEW keeps its name.',
  sources: ['file'],
  check: ({ stmt }) => {
    const droppedColumns = alterTableCommands(stmt)
      .filter(({ subtype }) => subtype === 'AT_DropColumn')
      .map(({ table, command, relation }): RuleHit => hitAt(`drops column "${str(command, 'name') ?? ''}" of "${table}"`, relation));
    const droppedRelations = nodesOfType(stmt, 'DropStmt').flatMap(({ fields }): RuleHit[] => {
      const kind = RELATION_KINDS[str(fields, 'removeType') ?? ''];
      return kind === undefined ? [] : [{ message: `drops ${kind} ${quotedList(droppedObjects(fields))}` }];
    });
    const renames = nodesOfType(stmt, 'RenameStmt').flatMap(({ fields }): RuleHit[] => {
      const relation = child(fields, 'relation') ?? {};
      const table = tableName(relation);
      const kind = str(fields, 'renameType') ?? '';
      if (kind === 'OBJECT_COLUMN') return [hitAt(`renames column "${str(fields, 'subname') ?? ''}" of "${table}"`, relation)];
      const relationKind = RELATION_KINDS[kind];
      return relationKind === undefined ? [] : [hitAt(`renames ${relationKind} "${table}"`, relation)];
    });
    return [...droppedColumns, ...droppedRelations, ...renames];
  },
};
