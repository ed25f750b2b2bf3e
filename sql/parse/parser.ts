/**
 * The PostgreSQL parser (libpg_query compiled to WASM). Its module loads
 * asynchronously, once per process; after that every call is synchronous.
 * Hot-path callers never wait: they ask `sqlParser()` and treat `undefined`
 * as "not ready yet" (the statement cache skips analysis until then).
 */
import { fingerprintSync, loadModule, normalizeSync, parseSync, scanSync } from 'libpg-query';
import type { PgNode } from '../rule';

/** One statement of a parse result; locations are UTF-8 byte offsets into the parsed text. */
export interface RawStatement {
  readonly stmt: PgNode;
  /** Byte offset of the statement's start; absent means 0. */
  readonly stmt_location?: number;
  /** Byte length; absent (or 0) means "to the end of the text". */
  readonly stmt_len?: number;
}

export interface RawParseResult {
  readonly stmts: readonly RawStatement[];
}

export interface ScannedToken {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly tokenName: string;
  readonly keywordKind: number;
}

export interface SqlParser {
  /** Throws (see `parseErrorPosition`) when the text is not valid SQL. */
  parse(text: string): RawParseResult;
  fingerprint(text: string): string;
  normalize(text: string): string;
  scan(text: string): readonly ScannedToken[];
}

const parser: SqlParser = {
  // libpg-query types the result with the full @pgsql/types tree; the engine
  // reads it generically through PgNode, so the shape is narrowed here once.
  parse: (text) => parseSync(text) as unknown as RawParseResult,
  fingerprint: (text) => fingerprintSync(text),
  normalize: (text) => normalizeSync(text),
  scan: (text) => scanSync(text).tokens,
};

let ready = false;
let loading: Promise<void> | undefined;

/** Loads the WASM module; concurrent and repeated calls share one load. */
export function loadSqlParser(): Promise<void> {
  loading ??= loadModule().then(() => {
    ready = true;
  });
  return loading;
}

export function isSqlParserReady(): boolean {
  return ready;
}

/** The parser when loaded, else undefined (never waits). */
export function sqlParser(): SqlParser | undefined {
  return ready ? parser : undefined;
}

/** The 0-based character position libpg_query reports for a syntax error, when it gives one. */
export function parseErrorPosition(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('sqlDetails' in error)) return undefined;
  const details: unknown = error.sqlDetails;
  if (typeof details !== 'object' || details === null || !('cursorPosition' in details)) return undefined;
  const position = details.cursorPosition;
  return typeof position === 'number' && position >= 0 ? position : undefined;
}
