/**
 * Reads the many shapes of `client.query(...)` (text, text + values, config
 * object, callbacks in either place, submittables) into one description.
 */
import type { NodeCallback } from './types';

export interface QueryCall {
  readonly text: string;
  readonly values: readonly unknown[] | undefined;
  /** Index in `args` of a trailing callback, or -1. */
  readonly callbackIndex: number;
  /** The config object carries the callback (`{ text, callback }`). */
  readonly configCallback: boolean;
}

interface QueryConfigLike {
  readonly text?: unknown;
  readonly values?: unknown;
  readonly callback?: unknown;
  readonly submit?: unknown;
}

/** Undefined for calls we do not time: no text, or submittables (cursors, streams). */
export function describeQueryCall(args: readonly unknown[]): QueryCall | undefined {
  const first = args[0];
  let text: string;
  let values: readonly unknown[] | undefined;
  let configCallback = false;
  if (typeof first === 'string') {
    text = first;
    values = Array.isArray(args[1]) ? args[1] : undefined;
  } else if (typeof first === 'object' && first !== null) {
    const config = first as QueryConfigLike;
    if (typeof config.submit === 'function' || typeof config.text !== 'string') return undefined;
    text = config.text;
    values = Array.isArray(config.values) ? config.values : Array.isArray(args[1]) ? args[1] : undefined;
    configCallback = typeof config.callback === 'function';
  } else {
    return undefined;
  }
  const last = args.length > 1 ? args[args.length - 1] : undefined;
  const callbackIndex = typeof last === 'function' ? args.length - 1 : -1;
  return { text, values, callbackIndex, configCallback: callbackIndex === -1 && configCallback };
}

/**
 * Replaces the call's callback in `args` with `wrap(callback)`. `args` must
 * be the caller's own copy (the hook's rest parameter), which is changed in
 * place; the app's objects are not mutated (a config object is copied).
 */
export function wrapCallbackIn(args: unknown[], call: QueryCall, wrap: (callback: NodeCallback) => NodeCallback): void {
  if (call.callbackIndex >= 0) {
    args[call.callbackIndex] = wrap(args[call.callbackIndex] as NodeCallback);
  } else if (call.configCallback) {
    const config = args[0] as QueryConfigLike;
    args[0] = { ...config, callback: wrap(config.callback as NodeCallback) };
  }
}

interface ResultLike {
  readonly rowCount?: number | null;
  readonly rows?: readonly unknown[];
}

// Two readers rather than one returning { returned, affected }: they run on
// every statement, and neither allocates (a single result is not wrapped in an array).

/** Rows returned (SELECT); summed over the results of a multi-statement call. */
export function returnedRowsOf(result: unknown): number | undefined {
  if (!Array.isArray(result)) return returnedBy(result);
  let returned: number | undefined;
  for (const item of result as unknown[]) {
    const rows = returnedBy(item);
    if (rows !== undefined) returned = (returned ?? 0) + rows;
  }
  return returned;
}

/** Rows affected (the command tag's count, else the rows returned); summed over the results of a multi-statement call. */
export function affectedRowsOf(result: unknown): number | undefined {
  if (!Array.isArray(result)) return affectedBy(result);
  let affected: number | undefined;
  for (const item of result as unknown[]) {
    const rows = affectedBy(item);
    if (rows !== undefined) affected = (affected ?? 0) + rows;
  }
  return affected;
}

function returnedBy(item: unknown): number | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const { rows } = item as ResultLike;
  return Array.isArray(rows) ? rows.length : undefined;
}

function affectedBy(item: unknown): number | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const { rowCount, rows } = item as ResultLike;
  if (typeof rowCount === 'number') return rowCount;
  return Array.isArray(rows) ? rows.length : undefined;
}

/** SQLSTATE for database errors (`42P01`), else the error's class name. */
export function errorTypeOf(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && /^[A-Za-z][A-Za-z0-9_]{0,40}$/.test(name)) return name;
  }
  return 'Error';
}
