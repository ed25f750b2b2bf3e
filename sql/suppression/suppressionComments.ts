/**
 * Suppression comments, after squawk's `-- squawk-ignore` / `-- squawk-ignore-file`
 * and ESLint's wording:
 *
 *   -- querylens-disable-next-line select-star, large-offset
 *   -- querylens-disable require-concurrent-index
 *
 * The first turns the named rules off for the next statement (the one the
 * comment precedes or sits in), the second for the whole file (at runtime:
 * the whole text of one call). Both forms may be block comments, and text
 * after ` -- ` is a reason, ignored. Rules must be named: a blanket switch
 * would also silence rules added later. Comments are found with the
 * scanner, so the marker inside a string literal is not a comment.
 */
import { byteToCharMapper } from '../parse/byteOffsets';
import type { ScannedToken, SqlParser } from '../parse/parser';

export type SuppressionScope = 'next-statement' | 'file';

export interface SuppressionComment {
  readonly scope: SuppressionScope;
  /** As written; may name rules that do not exist (lint warns about them). */
  readonly rules: readonly string[];
  /** String index of the comment in the text. */
  readonly offset: number;
}

const MARKER = 'querylens-disable';
const DIRECTIVE = /^querylens-disable(-next-line)?(?:\s+([\s\S]*))?$/;
const COMMENT_TOKENS: ReadonlySet<string> = new Set(['SQL_COMMENT', 'C_COMMENT']);

/** A cheap test before scanning: almost no text carries the marker. */
export function mayHaveSuppressions(text: string): boolean {
  return text.includes(MARKER);
}

/** The comment's text without its delimiters. */
function commentBody(comment: string): string {
  return comment.startsWith('--') ? comment.slice(2) : comment.slice(2, comment.endsWith('*/') ? -2 : undefined);
}

/** The directive a comment holds, if it is one; `querylens-disabled` or other words are not. */
export function readDirective(comment: string, offset: number): SuppressionComment | undefined {
  const match = DIRECTIVE.exec(commentBody(comment).trim());
  if (match === null) return undefined;
  const list = (match[2] ?? '').split(/\s--\s|^--\s?/)[0];
  const rules = list.split(/[\s,]+/).filter((id) => id !== '');
  return { scope: match[1] === undefined ? 'file' : 'next-statement', rules, offset };
}

/** Every suppression comment of `text`; none when the scanner fails (the text is then not parsed either). */
export function readSuppressionComments(text: string, scanner: SqlParser): SuppressionComment[] {
  if (!mayHaveSuppressions(text)) return [];
  let tokens: readonly ScannedToken[];
  try {
    tokens = scanner.scan(text);
  } catch {
    return [];
  }
  const toChar = byteToCharMapper(text) ?? ((byteOffset: number) => byteOffset);
  const found: SuppressionComment[] = [];
  for (const token of tokens) {
    if (!COMMENT_TOKENS.has(token.tokenName)) continue;
    const start = toChar(token.start);
    const directive = readDirective(text.slice(start, toChar(token.end)), start);
    if (directive !== undefined) found.push(directive);
  }
  return found;
}
