/**
 * The tokens of one statement's text, as fixes splice it: string indices
 * (the scanner counts UTF-8 bytes), comments left out, each keyword in upper
 * case beside its text as written.
 */
import { byteToCharMapper } from '../parse/byteOffsets';
import { sqlParser } from '../parse/parser';
import { isConstant } from '../parse/sanitizeSqlText';

export interface StatementToken {
  /** String index of the token's first character in the statement text. */
  readonly start: number;
  /** String index just past its last character. */
  readonly end: number;
  /** As written: `"Orders"`, `public`, `create`. */
  readonly text: string;
  /** `text` in upper case: what keyword matching compares. */
  readonly upper: string;
  /** A string, number or bit-string constant: a value, which the report never shows. */
  readonly constant: boolean;
}

const COMMENTS = new Set(['SQL_COMMENT', 'C_COMMENT']);

/** Empty when the parser is not loaded (no fix is offered then) or the text does not scan. */
export function statementTokens(text: string): readonly StatementToken[] {
  const parser = sqlParser();
  if (parser === undefined) return [];
  let scanned;
  try {
    scanned = parser.scan(text);
  } catch {
    return [];
  }
  const toChar = byteToCharMapper(text) ?? ((byte: number) => byte);
  return scanned
    .filter((token) => !COMMENTS.has(token.tokenName))
    .map((token) => {
      const start = toChar(token.start);
      const end = toChar(token.end);
      const written = text.slice(start, end);
      return { start, end, text: written, upper: written.toUpperCase(), constant: isConstant(token) };
    });
}

/** The tokens of the statement itself: without the `;` that ends it. */
export function bodyTokens(tokens: readonly StatementToken[]): readonly StatementToken[] {
  return tokens.at(-1)?.text === ';' ? tokens.slice(0, -1) : tokens;
}
