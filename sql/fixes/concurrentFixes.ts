/**
 * The CONCURRENTLY rewrites: CREATE INDEX, DROP INDEX, REINDEX and REFRESH
 * MATERIALIZED VIEW, each the statement as written with the one keyword
 * added (DROP INDEX: one statement per index, as PostgreSQL requires).
 */
import type { StatementFix } from '../../core/statementAnalysis';
import type { RuleContext } from '../rule';
import { list, str } from '../parse/nodeReaders';
import { asNode, child } from '../parse/parseTree';
import { checkedFix } from './statementFix';
import { bodyTokens, statementTokens, type StatementToken } from './statementTokens';
import { insertAfter, keywordIndex } from './statementText';

const OUTSIDE_TRANSACTION = 'It cannot run inside a transaction block: run it on its own (most migration tools have a per-migration switch for that).';

/** The first PostgreSQL with REINDEX … CONCURRENTLY. */
const CONCURRENT_REINDEX_VERSION = 12;

/** The statement with CONCURRENTLY added after its first top-level `keywords` token; none when it has no such token. */
function withConcurrently(text: string, keywords: readonly string[], description: string, outsideTransaction: boolean): StatementFix | undefined {
  const tokens = bodyTokens(statementTokens(text));
  const at = keywordIndex(tokens, keywords);
  return at < 0 ? undefined : checkedFix(description, [insertAfter(text, tokens, at, 'CONCURRENTLY')], outsideTransaction, tokens);
}

/** CREATE INDEX → CREATE INDEX CONCURRENTLY; none on `ON ONLY` (a partitioned table, which has no concurrent build) or after BEGIN. */
export function concurrentCreateIndexFix({ stmt, text, session }: RuleContext): StatementFix | undefined {
  const index = asNode(stmt, 'IndexStmt');
  if (index === undefined || session.inTransaction || child(index, 'relation')?.['inh'] !== true) return undefined;
  return withConcurrently(text, ['INDEX'],
    `Builds the index with CONCURRENTLY: reads and writes go on while it builds (it takes longer). ${OUTSIDE_TRANSACTION} If it fails, it leaves an INVALID index: drop it before running it again.`,
    true);
}

/** The names of a DROP INDEX as written, split at the commas outside parentheses. */
function droppedNames(text: string, tokens: readonly StatementToken[], from: number): string[] {
  const end = tokens.at(-1)?.upper === 'RESTRICT' ? tokens.length - 1 : tokens.length;
  const names: string[] = [];
  let first = from;
  for (let index = from; index <= end; index += 1) {
    if (index < end && tokens[index].text !== ',') continue;
    if (index > first) names.push(text.slice(tokens[first].start, tokens[index - 1].end));
    first = index + 1;
  }
  return names;
}

/** DROP INDEX a, b → DROP INDEX CONCURRENTLY a; DROP INDEX CONCURRENTLY b. None with CASCADE (CONCURRENTLY refuses it) or after BEGIN. */
export function concurrentDropIndexFix({ stmt, text, session }: RuleContext): StatementFix | undefined {
  const drop = asNode(stmt, 'DropStmt');
  if (drop === undefined || session.inTransaction || str(drop, 'behavior') === 'DROP_CASCADE') return undefined;
  const tokens = bodyTokens(statementTokens(text));
  const at = keywordIndex(tokens, ['INDEX']);
  const ifExists = drop['missing_ok'] === true;
  if (at < 0 || (ifExists && tokens[at + 1]?.upper !== 'IF')) return undefined;
  const names = droppedNames(text, tokens, at + (ifExists ? 3 : 1));
  if (names.length !== list(drop, 'objects').length) return undefined;
  const head = `${text.slice(tokens[0].start, tokens[at].end)} CONCURRENTLY${ifExists ? ' IF EXISTS' : ''}`;
  return checkedFix(
    `Drops ${names.length === 1 ? 'the index' : 'each index in a statement of its own (CONCURRENTLY takes one)'} with CONCURRENTLY: it waits for the queries using it instead of blocking the table. ${OUTSIDE_TRANSACTION}`,
    names.map((name) => `${head} ${name}`), true, tokens);
}

/** REINDEX INDEX / TABLE → … CONCURRENTLY (PostgreSQL 12+). SCHEMA and DATABASE have none: their concurrent form skips the system catalogs the plain one rebuilds. */
export function concurrentReindexFix({ stmt, text, session, postgresVersion }: RuleContext): StatementFix | undefined {
  const reindex = asNode(stmt, 'ReindexStmt');
  const kind = reindex === undefined ? undefined : str(reindex, 'kind');
  if ((kind !== 'REINDEX_OBJECT_INDEX' && kind !== 'REINDEX_OBJECT_TABLE') || session.inTransaction) return undefined;
  if (postgresVersion !== undefined && postgresVersion < CONCURRENT_REINDEX_VERSION) return undefined;
  return withConcurrently(text, ['INDEX', 'TABLE'],
    `Rebuilds with CONCURRENTLY (PostgreSQL ${CONCURRENT_REINDEX_VERSION}+): a new index is built beside the old one, so reads and writes go on. ${OUTSIDE_TRANSACTION} Not for system catalogs.`,
    true);
}

/** REFRESH MATERIALIZED VIEW → … CONCURRENTLY. */
export function concurrentRefreshFix({ stmt, text }: RuleContext): StatementFix | undefined {
  if (asNode(stmt, 'RefreshMatViewStmt') === undefined) return undefined;
  return withConcurrently(text, ['VIEW'],
    'Refreshes with CONCURRENTLY: reads of the view go on. It needs a unique index on the view (on plain columns, without WHERE) and a populated view, and fails without them; it may run in a transaction block.',
    false);
}
