/**
 * The PostgreSQL parser (libpg_query compiled to WASM). Its module loads
 * asynchronously, once per process, when `loadSqlParser()` is first called;
 * after that every call is synchronous. Hot-path callers never wait: they ask
 * `sqlParser()` and treat `undefined` as "not ready yet" (the statement cache
 * queues the statement until then).
 */
import type * as LibPgQuery from 'libpg-query';
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

function bind(lib: typeof LibPgQuery): SqlParser {
  return {
    // libpg-query types the result with the full @pgsql/types tree; the engine
    // reads it generically through PgNode, so the shape is narrowed here once.
    parse: (text) => lib.parseSync(text) as unknown as RawParseResult,
    fingerprint: (text) => lib.fingerprintSync(text),
    normalize: (text) => lib.normalizeSync(text),
    scan: (text) => lib.scanSync(text).tokens,
  };
}

let parser: SqlParser | undefined;
let loading: Promise<void> | undefined;
const whenReady: (() => void)[] = [];

async function load(): Promise<void> {
  // Synchronous: the compile it starts runs on V8's threads while the caller carries on.
  const lib = require('libpg-query') as typeof LibPgQuery;
  await lib.loadModule();
  parser = bind(lib);
  for (const callback of whenReady.splice(0)) callback();
}

/**
 * Loads the WASM module; concurrent and repeated calls share one load.
 * Required here rather than imported: libpg-query starts reading and
 * compiling its WebAssembly as soon as it is required, so the caller decides
 * when (and with which V8 flags) that happens.
 */
export function loadSqlParser(): Promise<void> {
  loading ??= load();
  return loading;
}

export function isSqlParserReady(): boolean {
  return parser !== undefined;
}

/** Calls `callback` once the parser is ready: at once if it is, else when a load completes. */
export function onSqlParserReady(callback: () => void): void {
  if (parser === undefined) whenReady.push(callback);
  else callback();
}

/** The parser when loaded, else undefined (never waits). */
export function sqlParser(): SqlParser | undefined {
  return parser;
}

/** The 0-based character position libpg_query reports for a syntax error, when it gives one. */
export function parseErrorPosition(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('sqlDetails' in error)) return undefined;
  const details: unknown = error.sqlDetails;
  if (typeof details !== 'object' || details === null || !('cursorPosition' in details)) return undefined;
  const position = details.cursorPosition;
  return typeof position === 'number' && position >= 0 ? position : undefined;
}
