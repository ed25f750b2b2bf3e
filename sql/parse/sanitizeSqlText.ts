/**
 * Display text without values: every constant token becomes `?` and
 * comments are dropped (they may carry user data or per-request trace ids).
 * Uses the scanner, which reads text the grammar rejects, so unparseable
 * statements can still be shown. Undefined when even the scanner fails
 * (an unterminated string): the caller then shows no text at all.
 */
import { byteToCharMapper } from './byteOffsets';
import type { ScannedToken, SqlParser } from './parser';

const CONSTANT_TOKENS = new Set(['SCONST', 'USCONST', 'ICONST', 'FCONST', 'BCONST', 'XCONST']);
const COMMENT_TOKENS = new Set(['SQL_COMMENT', 'C_COMMENT']);

// The scanner names some constant kinds (x'ff', b'01') UNKNOWN: a quote
// inside a non-keyword token, or a dollar quote, marks a constant.
export function isConstant(token: ScannedToken): boolean {
  if (CONSTANT_TOKENS.has(token.tokenName)) return true;
  return token.tokenName === 'UNKNOWN' && token.keywordKind === 0 && (token.text.includes("'") || /^\$[^0-9]/.test(token.text));
}

/** The text between two replaced tokens; after a dropped comment, the blanks that surrounded it collapse to one. */
function gap(between: string, afterComment: boolean): string {
  return afterComment ? between.replace(/^[ \t]+/, '') : between;
}

export function sanitizeSqlText(text: string, parser: SqlParser): string | undefined {
  let tokens: readonly ScannedToken[];
  try {
    tokens = parser.scan(text);
  } catch {
    return undefined;
  }
  const toChar = byteToCharMapper(text) ?? ((byteOffset: number) => byteOffset);
  let out = '';
  let copied = 0;
  let afterComment = false;
  for (const token of tokens) {
    const constant = isConstant(token);
    if (!constant && !COMMENT_TOKENS.has(token.tokenName)) continue;
    out += gap(text.slice(copied, toChar(token.start)), afterComment);
    // A dropped comment still separates the tokens around it (`SELECT/*c*/1`).
    out += constant ? '?' : /\s$/.test(out) ? '' : ' ';
    afterComment = !constant;
    copied = toChar(token.end);
  }
  return (out + gap(text.slice(copied), afterComment)).replace(/[ \t]+\n/g, '\n').trim();
}
