import type { Rule, RuleHit } from '../rule';
import { str, tableName } from '../parse/nodeReaders';
import { child, nodesOfType } from '../parse/parseTree';
import { droppedObjects } from '../parse/writeStatements';
import { hitAt, quotedList } from '../ruleWording';

export const rule: Rule = {
  id: 'require-concurrent-index',
  category: 'migration',
  severity: 'warning',
  description: 'CREATE INDEX or DROP INDEX without CONCURRENTLY in a migration: it blocks writes to the table (DROP: reads too) for as long as it runs. (An index on a table created in the same file would be harmless; rules see one statement at a time, so it is flagged too.)',
  suggestion: 'Use CREATE INDEX CONCURRENTLY / DROP INDEX CONCURRENTLY, outside a transaction block (most migration tools have a per-migration switch); check for an INVALID index if it fails.',
  sources: ['file'],
  check: ({ stmt }) => {
    const creates = nodesOfType(stmt, 'IndexStmt')
      .filter(({ fields }) => fields['concurrent'] !== true)
      .map(({ fields }): RuleHit => {
        const index = str(fields, 'idxname');
        const relation = child(fields, 'relation') ?? {};
        return hitAt(`CREATE INDEX ${index === undefined ? '' : `"${index}" `}on "${tableName(relation)}" without CONCURRENTLY blocks writes while it builds`, relation);
      });
    const drops = nodesOfType(stmt, 'DropStmt')
      .filter(({ fields }) => str(fields, 'removeType') === 'OBJECT_INDEX' && fields['concurrent'] !== true)
      .map(({ fields }): RuleHit => {
        return { message: `DROP INDEX ${quotedList(droppedObjects(fields))} without CONCURRENTLY locks the table while it runs` };
      });
    return [...creates, ...drops];
  },
};
