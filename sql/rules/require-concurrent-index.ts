import type { Rule, RuleContext, RuleHit } from '../rule';
import { str, tableName } from '../parse/nodeReaders';
import { child, nodesOfType, type Fields } from '../parse/parseTree';
import { droppedObjects, isConcurrentReindex, reindexedObject } from '../parse/writeStatements';
import { hitAt, quotedList } from '../ruleWording';
import { concurrentCreateIndexFix, concurrentDropIndexFix, concurrentReindexFix } from '../fixes/concurrentFixes';
import { withFix } from '../fixes/statementFix';

/** REINDEX INDEX i, TABLE t, SCHEMA s, DATABASE d: what the message names. */
const REINDEX_TARGETS: Readonly<Record<string, string>> = {
  REINDEX_OBJECT_INDEX: 'INDEX',
  REINDEX_OBJECT_TABLE: 'TABLE',
  REINDEX_OBJECT_SCHEMA: 'SCHEMA',
  REINDEX_OBJECT_DATABASE: 'DATABASE',
};

function reindexHit(fields: Fields, context: RuleContext): RuleHit[] {
  const { session } = context;
  // REINDEX SYSTEM has no CONCURRENTLY form: system catalogs are rebuilt under lock.
  const target = REINDEX_TARGETS[str(fields, 'kind') ?? ''];
  const relation = child(fields, 'relation');
  if (target === undefined || isConcurrentReindex(fields) || (target === 'TABLE' && relation !== undefined && session.isNewRelation(relation))) return [];
  const hit = hitAt(`REINDEX ${target} "${reindexedObject(fields)}" without CONCURRENTLY blocks writes to the tables whose indexes it rebuilds, and the planning of almost every query on them`, relation ?? {});
  return [withFix(hit, concurrentReindexFix(context))];
}

export const rule: Rule = {
  id: 'require-concurrent-index',
  category: 'migration',
  severity: 'warning',
  description: 'CREATE INDEX, DROP INDEX or REINDEX without CONCURRENTLY in a migration: it blocks writes to the table (DROP INDEX and REINDEX: reads too) for as long as it runs. Not flagged for a table created earlier in the same file, which nobody else holds yet.',
  suggestion: 'Use CREATE INDEX CONCURRENTLY / DROP INDEX CONCURRENTLY / REINDEX … CONCURRENTLY (PostgreSQL 12+), outside a transaction block (most migration tools have a per-migration switch); check for an INVALID index if it fails.',
  fix: 'CREATE INDEX → CREATE INDEX CONCURRENTLY; DROP INDEX → one DROP INDEX CONCURRENTLY per index; REINDEX INDEX or TABLE → REINDEX … CONCURRENTLY (PostgreSQL 12+); none after BEGIN in the file.',
  sources: ['file'],
  check: (context) => {
    const { stmt, session } = context;
    const creates = nodesOfType(stmt, 'IndexStmt')
      .filter(({ fields }) => fields['concurrent'] !== true && !session.isNewRelation(child(fields, 'relation') ?? {}))
      .map(({ fields }): RuleHit => {
        const index = str(fields, 'idxname');
        const relation = child(fields, 'relation') ?? {};
        return withFix(hitAt(`CREATE INDEX ${index === undefined ? '' : `"${index}" `}on "${tableName(relation)}" without CONCURRENTLY blocks writes while it builds`, relation), concurrentCreateIndexFix(context));
      });
    const drops = nodesOfType(stmt, 'DropStmt')
      .filter(({ fields }) => str(fields, 'removeType') === 'OBJECT_INDEX' && fields['concurrent'] !== true)
      .map(({ fields }): RuleHit => {
        return withFix({ message: `DROP INDEX ${quotedList(droppedObjects(fields))} without CONCURRENTLY locks the table while it runs` }, concurrentDropIndexFix(context));
      });
    const reindexes = nodesOfType(stmt, 'ReindexStmt').flatMap(({ fields }) => reindexHit(fields, context));
    return [...creates, ...drops, ...reindexes];
  },
};
