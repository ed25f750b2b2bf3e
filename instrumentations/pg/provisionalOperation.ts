/**
 * What is known of a statement before the SQL parser has loaded (the first
 * moments of the process): its first keyword, never anything after it.
 */
const FIRST_KEYWORD = /^\s*([A-Za-z]+)/;

export function provisionalOperation(text: string): string {
  const match = FIRST_KEYWORD.exec(text);
  return match ? match[1].toUpperCase() : 'UNKNOWN';
}
