/**
 * ioredis majors installed side by side (`ioredis` is 6, `ioredis-v5-11` is
 * 5.11, the first 5.x with tracing channels), each reachable by a child
 * process under the name `ioredis`, so the agent's require hook sees it as an
 * app's ioredis: a temporary `node_modules/ioredis` link to the installed
 * copy, kept as a link (`--preserve-symlinks`), with the project's
 * node_modules on NODE_PATH for ioredis' own dependencies.
 */
import { mkdtempSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './agentProcess';

export interface IoredisVersion {
  readonly major: number;
  /** The folder under node_modules (an npm alias for all but the newest). */
  readonly installedAs: string;
}

export const IOREDIS_VERSIONS: readonly IoredisVersion[] = [
  { major: 5, installedAs: 'ioredis-v5-11' },
  { major: 6, installedAs: 'ioredis' },
];

export interface LinkedIoredis {
  /** What the child requires. */
  readonly modulePath: string;
  readonly nodeArgs: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly remove: () => void;
}

export function linkIoredis(installedAs: string): LinkedIoredis {
  const directory = mkdtempSync(join(tmpdir(), 'ql-ioredis-'));
  const modules = join(directory, 'node_modules');
  mkdirSync(modules);
  const modulePath = join(modules, 'ioredis');
  symlinkSync(join(ROOT, 'node_modules', installedAs), modulePath, 'dir');
  return {
    modulePath,
    nodeArgs: ['--preserve-symlinks'],
    env: { NODE_PATH: join(ROOT, 'node_modules'), QL_IOREDIS_MODULE: modulePath },
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}
