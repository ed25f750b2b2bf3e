import type { Rule, RuleHit } from '../rule';
import { tableName } from '../parse/nodeReaders';
import { child, unwrapNode, type Fields } from '../parse/parseTree';
import { droppedObjects, isConcurrentReindex, reindexedObject } from '../parse/writeStatements';
import { hitAt, quotedList } from '../ruleWording';

/** The CONCURRENTLY form a statement uses, and what it names; undefined for any other statement. */
function concurrentForm(type: string, fields: Fields): RuleHit | undefined {
  const relation = child(fields, 'relation') ?? {};
  if (type === 'IndexStmt' && fields['concurrent'] === true) return hitAt(`CREATE INDEX CONCURRENTLY on "${tableName(relation)}"`, relation);
  if (type === 'DropStmt' && fields['concurrent'] === true) return { message: `DROP INDEX CONCURRENTLY ${quotedList(droppedObjects(fields))}` };
  if (type === 'ReindexStmt' && isConcurrentReindex(fields)) return hitAt(`REINDEX CONCURRENTLY "${reindexedObject(fields)}"`, relation);
  return undefined;
}

export const rule: Rule = {
  id: 'concurrently-in-transaction',
  category: 'migration',
  severity: 'error',
  description: 'CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY or REINDEX CONCURRENTLY after BEGIN in the same file: PostgreSQL refuses them inside a transaction block, so the migration fails when it runs.',
  suggestion: 'Run the statement outside the transaction block: COMMIT before it, or put it in a migration of its own that the migration tool runs without a transaction.',
  sources: ['file'],
  check: ({ stmt, session }): RuleHit[] => {
    const node = unwrapNode(stmt);
    const form = node === undefined || !session.inTransaction ? undefined : concurrentForm(node[0], node[1]);
    return form === undefined ? [] : [{ ...form, message: `${form.message} inside a transaction block fails: PostgreSQL cannot run it in a transaction` }];
  },
};
