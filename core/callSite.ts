import { isAbsolute, relative, sep } from 'node:path';

/**
 * Where in the app's code a statement was sent or a pool client checked
 * out: the first stack frame outside node_modules, Node.js internals and
 * querylens, with its path relative to the app's root. Only these four
 * fields of a stack are ever kept.
 */
export interface CallSite {
  /** Relative to the app's root (the working directory); `dir/file.js`, its last two segments, for a file outside it. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The function's name as V8 reports it; undefined for an anonymous function or top-level code. */
  readonly function: string | undefined;
}

/** `src/orders.js:42`: how a call site is shown and compared. */
export function callSiteLabel(site: CallSite): string {
  return `${site.file}:${site.line}`;
}

/** Whether two call sites have the same label, without making either (the hot path compares many). */
export function sameCallSiteLabel(a: CallSite, b: CallSite): boolean {
  return a === b || (a.line === b.line && a.file === b.file);
}

/**
 * An absolute path as the agent shows it: relative to the app's root, or,
 * outside it, its last two segments, so no home directory or deployment
 * path leaves the process.
 */
export function shownPath(path: string, appRoot: string): string {
  const inside = relative(appRoot, path);
  if (inside !== '' && !inside.startsWith('..') && !isAbsolute(inside)) return inside.split(sep).join('/');
  return path.split(sep).slice(-2).join('/');
}
