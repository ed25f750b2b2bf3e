/**
 * core/threadRole.ts tells the main thread, a worker thread and Node.js's
 * loader thread apart as node:worker_threads does, without loading that
 * module on the main thread (bare Node.js does not load it there).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, runNode } from '../helpers/agentProcess';

interface RoleLine {
  role: { main: boolean; nodeInternal: boolean };
  loadedBefore: boolean;
  loadedAfter: boolean;
  isMainThread: boolean;
  isInternalThread: boolean;
}

const REPORT = join(APPS, 'thread-role-report.cjs');
/** Starts Node.js's loader thread, which runs `--require` preloads again. */
const LOADER_THREAD = 'data:text/javascript,import{register}from"node:module";register("data:text/javascript,export async function resolve(s,c,n){return n(s,c)}")';

async function rolesOf(nodeArgs: string[], env: Record<string, string> = {}): Promise<RoleLine[]> {
  const run = await runNode('-e', { nodeArgs: ['--require', REPORT, ...nodeArgs], args: ['0'], env });
  expect(run.code, run.stderr).toBe(0);
  return run.stdout.trim().split('\n').map((line) => JSON.parse(line) as RoleLine);
}

describe('threadRole', () => {
  it('answers the main thread without loading node:worker_threads there', async () => {
    const [main, ...rest] = await rolesOf([]);
    expect(rest).toEqual([]);
    expect(main).toEqual({ role: { main: true, nodeInternal: false }, loadedBefore: false, loadedAfter: false, isMainThread: true, isInternalThread: false });
  });

  it('answers a Worker as a worker thread', async () => {
    const lines = await rolesOf([], { THREAD_ROLE_WORKER: '1' });
    const worker = lines.find((line) => !line.isMainThread);
    expect(worker).toEqual({ role: { main: false, nodeInternal: false }, loadedBefore: true, loadedAfter: true, isMainThread: false, isInternalThread: false });
  });

  it("answers Node.js's loader thread as its own", async () => {
    const lines = await rolesOf(['--import', LOADER_THREAD]);
    const loader = lines.find((line) => line.isInternalThread);
    expect(loader?.role).toEqual({ main: false, nodeInternal: true });
    expect(lines.find((line) => line.isMainThread)?.role).toEqual({ main: true, nodeInternal: false });
  });
});
