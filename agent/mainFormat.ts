/**
 * Whether the app's main file will run as an ES module, decided the way
 * Node.js decides it from the file name and the nearest package.json
 * `"type"`. A CommonJS preload (`--require querylens/register`) asks this to
 * install the ESM loader hook only for ESM apps: the hook starts a loader
 * thread that the main thread waits for (100–300 ms on this project's
 * machine), which a CommonJS app would pay for nothing.
 *
 * Not recognised, by choice: a `.js` file with ES module syntax and no
 * `"type"` (Node.js runs it as ESM after a failed CommonJS parse and warns
 * about it); recognising it would mean parsing the main file twice. Such an
 * app, and one that loads pg or ioredis through `import()` from CommonJS,
 * gets the hook with `--import querylens/register`.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/** The `"type"` of the package a file belongs to, as Node.js finds it (the nearest package.json, not past node_modules). */
function packageType(file: string): string | undefined {
  for (let dir = dirname(file); basename(dir) !== 'node_modules'; dir = dirname(dir)) {
    try {
      const type: unknown = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: unknown }).type;
      return typeof type === 'string' ? type : undefined;
    } catch {
      // No package.json here (or an unreadable one, which Node.js reports itself): look further up.
    }
    if (dirname(dir) === dir) return undefined;
  }
  return undefined;
}

function resolveMain(main: string): string | undefined {
  try {
    return require.resolve(main);
  } catch {
    return undefined;
  }
}

/** `main` is `process.argv[1]`: undefined for `-e`, `-p`, stdin and the REPL. */
export function mainRunsAsEsModule(main: string | undefined): boolean {
  const file = main === undefined ? undefined : resolveMain(main);
  if (file === undefined) return false;
  const extension = extname(file);
  if (extension === '.mjs' || extension === '.mts') return true;
  if (extension !== '.js' && extension !== '.ts' && extension !== '') return false;
  return packageType(file) === 'module';
}
