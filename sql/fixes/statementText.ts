/**
 * How fixes write SQL: from the statement's own text, token by token, so
 * names keep the quoting and case they were written with; names a fix makes
 * up itself are quoted where PostgreSQL needs it (parse/identifiers.ts).
 */
import type { StatementToken } from './statementTokens';

/** The statement as written, from its first token to its last (comments before it and the `;` after it left out). */
export function statementBody(text: string, tokens: readonly StatementToken[]): string {
  const first = tokens[0];
  const last = tokens.at(-1);
  return first === undefined || last === undefined ? '' : text.slice(first.start, last.end);
}

/** The body with ` word` added after `tokens[index]`. */
export function insertAfter(text: string, tokens: readonly StatementToken[], index: number, word: string): string {
  const at = tokens[index].end;
  const start = tokens[0].start;
  return `${text.slice(start, at)} ${word}${text.slice(at, tokens.at(-1)?.end ?? at)}`;
}

/** Index of the first token outside parentheses, that is one of `keywords`; -1 when none. */
export function keywordIndex(tokens: readonly StatementToken[], keywords: readonly string[]): number {
  let depth = 0;
  for (let index = 0; index < tokens.length; index += 1) {
    const { upper } = tokens[index];
    if (upper === '(') depth += 1;
    else if (upper === ')') depth -= 1;
    else if (depth === 0 && keywords.includes(upper)) return index;
  }
  return -1;
}

/** The index of the token at string index `location`; -1 when none starts there. */
export function tokenAt(tokens: readonly StatementToken[], location: unknown): number {
  return typeof location === 'number' ? tokens.findIndex((token) => token.start === location) : -1;
}

/** The last token of a dotted name (`db.schema.table`) that starts at `index`. */
export function nameEnd(tokens: readonly StatementToken[], index: number): number {
  let end = index;
  while (tokens[end + 1]?.text === '.' && tokens[end + 2] !== undefined) end += 2;
  return end;
}

/** The name a token stands for, as the parser reads it: `"Orders"` → `Orders`, `Orders` → `orders`, cut to 63 bytes; undefined for Unicode-escaped names. */
export function identifierValue(token: StatementToken | undefined): string | undefined {
  if (token === undefined || /^u&/i.test(token.text)) return undefined;
  return truncatedName(token.text.startsWith('"') ? token.text.slice(1, -1).replace(/""/g, '"') : token.text.toLowerCase());
}

/** True when `tokens[index]` is the name `value` (the check a fix makes before it reuses a name as written). */
export function namesValue(tokens: readonly StatementToken[], index: number, value: string | undefined): boolean {
  return value !== undefined && identifierValue(tokens[index]) === value;
}

/** PostgreSQL keeps the first 63 bytes of a name (NAMEDATALEN - 1). */
const MAX_NAME_BYTES = 63;

/** `name` cut to what PostgreSQL keeps, on a character boundary. */
export function truncatedName(name: string): string {
  let kept = name;
  while (Buffer.byteLength(kept, 'utf8') > MAX_NAME_BYTES) kept = [...kept].slice(0, -1).join('');
  return kept;
}
