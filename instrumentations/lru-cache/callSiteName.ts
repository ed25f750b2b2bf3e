/**
 * The default name of an unnamed cache: where it was created (`src/sessions.js:12`).
 * Stable across restarts and deploys of the same code, and bounded by the
 * number of `new LRUCache()` sites (the name set is capped anyway).
 */
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shownPath } from '../../core/callSite';

export const UNKNOWN_CALL_SITE = 'unnamed';

const FRAME = /(?:\(|at )((?:file:\/\/|\/|[A-Za-z]:\\)[^()]*?):(\d+):\d+\)?\s*$/;

function displayPath(location: string, cwd: string): string {
  const file = location.startsWith('file://') ? fileURLToPath(location) : location;
  return isAbsolute(file) ? shownPath(file, cwd) : file;
}

/** `file:line` of the first stack frame with a file location (pure). */
export function nameFromStack(stack: string | undefined, cwd: string): string {
  for (const line of (stack ?? '').split('\n').slice(1)) {
    const match = FRAME.exec(line);
    if (match !== null) return `${displayPath(match[1], cwd)}:${match[2]}`;
  }
  return UNKNOWN_CALL_SITE;
}

/** The call site of `calledFunction`'s caller. */
export function callSiteName(calledFunction: Function): string {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 1;
    Error.captureStackTrace(holder, calledFunction);
    return nameFromStack(holder.stack, process.cwd());
  } catch {
    return UNKNOWN_CALL_SITE;
  } finally {
    Error.stackTraceLimit = limit;
  }
}
