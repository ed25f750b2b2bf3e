import type { Rule, RuleHit } from '../rule';
import type { Fields } from '../parse/parseTree';
import { list, str, tableName } from '../parse/nodeReaders';
import { asNode, child, unwrapNode } from '../parse/parseTree';
import { droppedObjects } from '../parse/writeStatements';
import { quotedList } from '../ruleWording';

/** `OBJECT_TABLE` → `TABLE`, `OBJECT_MATVIEW` → `MATVIEW`. */
function objectKind(fields: Fields, name: string): string {
  return (str(fields, name) ?? 'OBJECT_TABLE').replace(/^OBJECT_/, '').replace(/_/g, ' ');
}

/** What a destructive statement is and what it names; undefined for any other statement. */
function describe(type: string, fields: Fields): string | undefined {
  switch (type) {
    case 'DropStmt': {
      return `DROP ${objectKind(fields, 'removeType')} ${quotedList(droppedObjects(fields))}`.trimEnd();
    }
    case 'TruncateStmt':
      return `TRUNCATE ${quotedList(list(fields, 'relations').map((relation) => tableName(asNode(relation, 'RangeVar') ?? {})))}`;
    case 'AlterTableStmt':
      return `ALTER ${objectKind(fields, 'objtype')} "${tableName(child(fields, 'relation') ?? {})}"`;
    case 'RenameStmt':
      return `ALTER ${objectKind(fields, 'renameType')} "${tableName(child(fields, 'relation') ?? {})}" RENAME`;
    case 'DropdbStmt':
      return `DROP DATABASE "${str(fields, 'dbname') ?? ''}"`;
    default:
      return undefined;
  }
}

export const rule: Rule = {
  id: 'dangerous-runtime-ddl',
  category: 'security',
  severity: 'error',
  description: 'DROP, TRUNCATE, ALTER or RENAME sent by application code at runtime: schema changes belong in reviewed migrations, and an app role that may run them turns an injection into data loss.',
  suggestion: 'Move the change into a migration run by a separate role, and revoke DDL rights (and table ownership) from the role the application connects with.',
  sources: ['runtime'],
  check: ({ stmt }): RuleHit[] => {
    const node = unwrapNode(stmt);
    const what = node === undefined ? undefined : describe(node[0], node[1]);
    return what === undefined ? [] : [{ message: `${what} sent by application code` }];
  },
};
