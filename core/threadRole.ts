/**
 * Which thread this code runs on, without loading node:worker_threads on
 * the main thread: bare Node.js does not load it there, and it brings
 * Node.js's streams with it (1.4 ms of a 7 ms preload on this project's
 * fast machine). A worker thread, Node.js's own loader thread among them,
 * has it loaded before any preload runs (its start-up uses it), so where it
 * is already loaded it is asked; where it is not, this is the main thread.
 * Where the runtime does not list its loaded built-in modules, it is asked.
 */
import type * as WorkerThreads from 'node:worker_threads';

export interface ThreadRole {
  /** The process's main thread, the only one that serves the agent's port. */
  readonly main: boolean;
  /** Node.js's own thread (the `module.register` loader thread, Node.js 22.14+), where `--require` preloads run again. */
  readonly nodeInternal: boolean;
}

const MAIN: ThreadRole = { main: true, nodeInternal: false };

/** Built-in modules loaded in this thread, as Node.js lists them (`NativeModule worker_threads`); undefined where it does not. */
function loadedBuiltins(): readonly unknown[] | undefined {
  const list = (process as { moduleLoadList?: unknown }).moduleLoadList;
  return Array.isArray(list) ? list : undefined;
}

function askedRole(): ThreadRole {
  const loaded = loadedBuiltins();
  if (loaded !== undefined && !loaded.includes('NativeModule worker_threads')) return MAIN;
  const { isMainThread, isInternalThread } = require('node:worker_threads') as typeof WorkerThreads & { isInternalThread?: boolean };
  return { main: isMainThread, nodeInternal: isInternalThread === true };
}

/** A thread's role never changes: worked out once per thread (the preload asks three times). */
let role: ThreadRole | undefined;

export function threadRole(): ThreadRole {
  return (role ??= askedRole());
}
