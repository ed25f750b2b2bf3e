/**
 * Reads the app's call site off the stack: V8's structured frames (through
 * a `prepareStackTrace` of our own, set only for the duration of one capture
 * and put back before anything else runs, so the app's stack traces and its
 * own `prepareStackTrace` are untouched), the first frame outside
 * node_modules, Node.js internals and querylens, mapped to its source (a
 * `.ts` line) when the app runs with `--enable-source-maps`. A capture costs
 * microseconds: callers sample (callSiteSampler.ts).
 */
import { findSourceMap } from 'node:module';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shownPath, type CallSite } from '../../core/callSite';

/** Frames read per capture: pg-pool's checkout path and querylens' wrappers sit between the app and the hook. */
export const STACK_FRAMES = 24;

/** querylens' own folders (compiled under dist/, or the sources under test): none of their frames is the app's. */
const AGENT_ROOT = resolve(__dirname, '..', '..');
const AGENT_FOLDERS = ['core', 'instrumentations', 'sql', 'exporters', 'recording', 'agentQueries', 'report', 'http', 'cache', 'dashboards', 'fleet', 'agent']
  .map((folder) => `${AGENT_ROOT}${sep}${folder}${sep}`);

type Frames = readonly NodeJS.CallSite[];

function structuredFrames(_error: Error, frames: NodeJS.CallSite[]): Frames {
  return frames;
}

function framesAbove(skip: (...args: never[]) => unknown): Frames | undefined {
  const holder: { stack?: unknown } = {};
  const limit = Error.stackTraceLimit;
  const prepare = Error.prepareStackTrace;
  try {
    Error.stackTraceLimit = STACK_FRAMES;
    Error.prepareStackTrace = structuredFrames;
    Error.captureStackTrace(holder, skip);
    // Read while our prepareStackTrace is in place: V8 formats the stack on first access.
    const frames = holder.stack;
    return Array.isArray(frames) ? frames as Frames : undefined;
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}

function pathOf(fileName: string): string | undefined {
  if (fileName.startsWith('file://')) return fileURLToPath(fileName);
  return isAbsolute(fileName) ? fileName : undefined;
}

function isAppFile(path: string): boolean {
  return !path.includes(`${sep}node_modules${sep}`) && !AGENT_FOLDERS.some((folder) => path.startsWith(folder));
}

interface Position {
  readonly path: string;
  readonly line: number;
  readonly column: number;
}

/** The source position of a generated one, when the app runs with source maps and the file has one. */
function sourcePosition(position: Position): Position {
  if (!process.sourceMapsEnabled) return position;
  const origin = findSourceMap(position.path)?.findOrigin(position.line, position.column);
  if (origin === undefined || !('fileName' in origin)) return position;
  const path = pathOf(origin.fileName) ?? resolve(dirname(position.path), origin.fileName);
  return { path, line: origin.lineNumber, column: origin.columnNumber };
}

/**
 * One CallSite object per place in the app's code, however many statements
 * are sent from there: a flood of distinct statements from one line then
 * keeps one object and one path, not one each (objects that outlive a
 * young-generation collection make V8 grow that generation, and the process's
 * memory with it). Bounded: past MAX_INTERNED_SITES places it starts over.
 */
const MAX_INTERNED_SITES = 1_000;
const interned = new Map<string, CallSite>();

function internedSite(path: string, line: number, column: number, functionName: string | null, appRoot: string): CallSite {
  // Source maps can be turned on while the app runs (process.setSourceMapsEnabled): a site mapped either way is its own.
  const key = `${path}\n${line}\n${column}\n${functionName ?? ''}\n${appRoot}\n${process.sourceMapsEnabled}`;
  const known = interned.get(key);
  if (known !== undefined) return known;
  const position = sourcePosition({ path, line, column });
  const site: CallSite = { file: shownPath(position.path, appRoot), line: position.line, column: position.column, function: functionName ?? undefined };
  if (interned.size >= MAX_INTERNED_SITES) interned.clear();
  interned.set(key, site);
  return site;
}

function siteOf(frame: NodeJS.CallSite, appRoot: string): CallSite | undefined {
  const fileName = frame.getFileName();
  if (fileName === undefined || fileName === null || fileName.startsWith('node:')) return undefined;
  const path = pathOf(fileName);
  const line = frame.getLineNumber();
  const column = frame.getColumnNumber();
  if (path === undefined || line === null || column === null || !isAppFile(path)) return undefined;
  return internedSite(path, line, column, frame.getFunctionName(), appRoot);
}

/** The app's call site of the call that reached `skip` (a frame above it), or undefined when no frame is the app's. */
export function captureCallSite(skip: (...args: never[]) => unknown, appRoot: string): CallSite | undefined {
  const frames = framesAbove(skip);
  if (frames === undefined) return undefined;
  for (const frame of frames) {
    const site = siteOf(frame, appRoot);
    if (site !== undefined) return site;
  }
  return undefined;
}
