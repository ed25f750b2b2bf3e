/**
 * The sanitised `db.query.text` of a Redis command: the operation followed by
 * one `?` per argument. Keys are placeholders too: keys often carry user ids,
 * e-mail addresses or tokens, and they must not leave the process.
 */

/** Beyond this many arguments the text says how many more there were instead of listing them. */
const MAX_PLACEHOLDERS = 64;

export function queryText(operation: string, argCount: number): string {
  const shown = Math.min(argCount, MAX_PLACEHOLDERS);
  let text = operation;
  for (let i = 0; i < shown; i += 1) text += ' ?';
  return argCount > shown ? `${text} …(${argCount - shown} more)` : text;
}
