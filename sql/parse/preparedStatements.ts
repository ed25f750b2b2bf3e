/**
 * Splits a parse result into the statements rules judge: each with its own
 * text, and with every `location` in its tree rewritten from "UTF-8 byte
 * offset into the whole text" to "string index into the statement's own
 * text", which is what `RuleContext` promises.
 */
import { byteToCharMapper } from './byteOffsets';
import type { RawParseResult } from './parser';
import { visitTree, type Fields } from './parseTree';
import type { PgNode } from '../rule';

export interface PreparedStatement {
  readonly stmt: PgNode;
  /** The statement's text alone (leading whitespace and comments included, as the parser delimits it). */
  readonly text: string;
  /** String index of `text` in the whole parsed text. */
  readonly start: number;
}

function shiftLocations(tree: unknown, shift: (location: number) => number): void {
  const shiftIn = (fields: Fields): void => {
    const location = fields['location'];
    if (typeof location === 'number' && location >= 0) (fields as Record<string, unknown>)['location'] = shift(location);
  };
  visitTree(tree, {
    struct: (value) => {
      shiftIn(value);
      return true;
    },
    node: (_type, fields) => {
      shiftIn(fields);
      return undefined;
    },
  }, undefined);
}

/** Takes ownership of `parsed` (its trees are rewritten in place). */
export function prepareStatements(text: string, parsed: RawParseResult): PreparedStatement[] {
  const mapper = byteToCharMapper(text);
  const toChar = mapper ?? ((byteOffset: number) => byteOffset);
  return parsed.stmts.map((raw) => {
    const startByte = raw.stmt_location ?? 0;
    const start = toChar(startByte);
    const end = raw.stmt_len === undefined || raw.stmt_len === 0 ? text.length : toChar(startByte + raw.stmt_len);
    if (mapper !== undefined || startByte !== 0) shiftLocations(raw.stmt, (location) => toChar(location) - start);
    return { stmt: raw.stmt, text: text.slice(start, end), start };
  });
}
