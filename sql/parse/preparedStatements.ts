/**
 * Splits a parse result into the statements rules judge: each with its own
 * text, and with every `location` in its tree rewritten from "UTF-8 byte
 * offset into the whole text" to "string index into the statement's own
 * text", which is what `RuleContext` promises.
 */
import { byteToCharMapper } from './byteOffsets';
import type { RawParseResult } from './parser';
import type { PgNode } from '../rule';

export interface PreparedStatement {
  readonly stmt: PgNode;
  /** The statement's text alone (leading whitespace and comments included, as the parser delimits it). */
  readonly text: string;
  /** String index of `text` in the whole parsed text. */
  readonly start: number;
}

function shiftLocations(value: unknown, shift: (location: number) => number): void {
  if (Array.isArray(value)) {
    for (const item of value) shiftLocations(item, shift);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const record = value as Record<string, unknown>;
  for (const [key, child] of Object.entries(record)) {
    if (key === 'location' && typeof child === 'number') {
      if (child >= 0) record[key] = shift(child);
    } else {
      shiftLocations(child, shift);
    }
  }
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
