/**
 * The operation of a text the parser could not read (overlong, invalid, or
 * sent before the parser has loaded): its first keyword when it is an
 * unambiguous command word, after comments and opening parentheses. `WITH …`
 * could be anything, so it stays `UNKNOWN`; so does any other first word,
 * which could be a literal and would make an unbounded label value.
 */
import type { TableWrites } from './statementAnalysis';
import { skipTrivia } from './textPosition';

const COMMANDS = new Set([
  'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'VALUES', 'TABLE',
  'CREATE', 'ALTER', 'DROP', 'TRUNCATE', 'COPY', 'EXPLAIN', 'SHOW', 'SET', 'RESET',
  'BEGIN', 'START', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'RELEASE',
  'CALL', 'DO', 'GRANT', 'REVOKE', 'VACUUM', 'ANALYZE', 'LOCK', 'LISTEN', 'NOTIFY',
]);

export const UNKNOWN_OPERATION = 'UNKNOWN';

export function guessOperation(text: string): string {
  let start = skipTrivia(text);
  while (text[start] === '(') start = skipTrivia(text, start + 1);
  const word = /^[A-Za-z]+/.exec(text.slice(start, start + 16))?.[0].toUpperCase();
  return word !== undefined && COMMANDS.has(word) ? word : UNKNOWN_OPERATION;
}

/** First keywords of texts that change no table data; any other unparsed text may change anything. */
const WITHOUT_WRITES = new Set([
  'SELECT', 'VALUES', 'TABLE', 'SHOW', 'SET', 'RESET', 'BEGIN', 'START', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'RELEASE', 'LISTEN',
]);

/** What a text the parser did not read changes, from its first keyword alone: nothing, or possibly anything. */
export function writesOfUnparsed(operation: string): TableWrites {
  return WITHOUT_WRITES.has(operation) ? [] : 'unknown';
}
