/**
 * The copies of ioredis already loaded when the instrumentation is enabled.
 * The require hook sees only modules required after it is installed; an
 * ioredis the app required (or imported from ESM, which loads a CommonJS
 * package into the same cache) before the agent started is found in the
 * CommonJS module cache instead, and patched like the others: its classes'
 * prototypes are shared by every client, including those already created.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';

/** ioredis' main file, relative to its package folder (5 and 6 alike). */
const MAIN = `${sep}built${sep}index.js`;

export interface LoadedIoredis {
  readonly exports: unknown;
  readonly version: string;
}

/** The package.json beside a main file, when it is ioredis'. */
function ioredisVersion(mainFile: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(dirname(dirname(mainFile)), 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
    return manifest.name === 'ioredis' && typeof manifest.version === 'string' ? manifest.version : undefined;
  } catch {
    return undefined;
  }
}

/** Read at enable time only: one file read per cached `built/index.js`, none per command. */
export function loadedIoredisModules(): LoadedIoredis[] {
  const cache = createRequire(__filename).cache;
  const found: LoadedIoredis[] = [];
  for (const [file, loaded] of Object.entries(cache)) {
    if (!file.endsWith(MAIN) || !loaded?.loaded) continue;
    const version = ioredisVersion(file);
    if (version !== undefined) found.push({ exports: loaded.exports, version });
  }
  return found;
}
