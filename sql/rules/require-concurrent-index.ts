import type { Rule, RuleHit, SessionState } from '../rule';
import { str, tableName } from '../parse/nodeReaders';
import { child, nodesOfType, type Fields } from '../parse/parseTree';
import { droppedObjects, isConcurrentReindex, reindexedObject } from '../parse/writeStatements';
import { hitAt, quotedList } from '../ruleWording';

/** REINDEX INDEX i, TABLE t, SCHEMA s, DATABASE d: what the message names. */
const REINDEX_TARGETS: Readonly<Record<string, string>> = {
  REINDEX_OBJECT_INDEX: 'INDEX',
  REINDEX_OBJECT_TABLE: 'TABLE',
  REINDEX_OBJECT_SCHEMA: 'SCHEMA',
  REINDEX_OBJECT_DATABASE: 'DATABASE',
};

function reindexHit(fields: Fields, session: SessionState): RuleHit[] {
  // REINDEX SYSTEM has no CONCURRENTLY form: system catalogs are rebuilt under lock.
  const target = REINDEX_TARGETS[str(fields, 'kind') ?? ''];
  const relation = child(fields, 'relation');
  if (target === undefined || isConcurrentReindex(fields) || (target === 'TABLE' && relation !== undefined && session.isNewRelation(relation))) return [];
  return [hitAt(`REINDEX ${target} "${reindexedObject(fields)}" without CONCURRENTLY blocks writes to the tables whose indexes it rebuilds, and the planning of almost every query on them`, relation ?? {})];
}

export const rule: Rule = {
  id: 'require-concurrent-index',
  category: 'migration',
  severity: 'warning',
  description: 'CREATE INDEX, DROP INDEX or REINDEX without CONCURRENTLY in a migration: it blocks writes to the table (DROP INDEX and REINDEX: reads too) for as long as it runs. Not flagged for a table created earlier in the same file, which nobody else holds yet.',
  suggestion: 'Use CREATE INDEX CONCURRENTLY / DROP INDEX CONCURRENTLY / REINDEX … CONCURRENTLY (PostgreSQL 12+), outside a transaction block (most migration tools have a per-migration switch); check for an INVALID index if it fails.',
  sources: ['file'],
  check: ({ stmt, session }) => {
    const creates = nodesOfType(stmt, 'IndexStmt')
      .filter(({ fields }) => fields['concurrent'] !== true && !session.isNewRelation(child(fields, 'relation') ?? {}))
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
    const reindexes = nodesOfType(stmt, 'ReindexStmt').flatMap(({ fields }) => reindexHit(fields, session));
    return [...creates, ...drops, ...reindexes];
  },
};
