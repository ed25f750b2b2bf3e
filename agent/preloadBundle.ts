/**
 * Runs the preload's files from one file. The build (scripts/preload-bundle.mjs)
 * writes the preload's compiled files into dist/agent/register.bundle.js, each
 * inside the function Node.js would wrap it in, so that Node.js reads and
 * compiles one file at preload instead of 65: their resolving and reading was
 * about half of the preload's time (profiled, `node --require … -e 0`), and
 * dist/agent/register.js becomes the line that runs it (`loadPreloadBundle`).
 *
 * The bundle compiles from the V8 code cache the build made of it
 * (scripts/preload-code-cache.cjs), which holds the bytecode of every function
 * the preload runs: compiling the 232 KB file and then each of those
 * functions was about half of what remained. Another V8 version or other V8
 * flags reject the cache, and the bundle compiles as without it.
 *
 * Each file still becomes a module of its own, under its real path in
 * `require.cache`, with its own `__filename`, `__dirname` and `require`: a
 * later `require` of one of them, from a stage or from anywhere, gets the
 * same exports, and nothing is loaded twice. A file evaluates when it is
 * first required, as it would from disk. Without the build's bundle (`tsc`
 * alone) the same files load from disk, one by one.
 */
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script, constants as vmConstants } from 'node:vm';

/** Beside register.js: the bundle, and the code cache the build made of it. */
export const BUNDLE_FILE = 'register.bundle.js';
export const CODE_CACHE_FILE = 'register.bundle.cache';

/** The function the build wraps a compiled file in: Node.js's own CommonJS wrapper's parameters. */
type ModuleBody = (exports: unknown, require: NodeJS.Require, module: NodeJS.Module, filename: string, dirname: string) => void;

/**
 * One file of the bundle: its path relative to the bundle's folder, the
 * index of each file of the bundle it requires (by the specifier it writes),
 * and its body.
 */
export type BundledFile = readonly [path: string, requires: Readonly<Record<string, number>>, body: ModuleBody];

/** What every CommonJS module gets from Node.js and `Module`'s typings leave out. */
interface ModuleStatics {
  _nodeModulePaths(folder: string): string[];
}

/** Runs `files[0]` as `entry` (the bundle's own module); the others run when first required. */
export function runPreloadBundle(entry: NodeJS.Module, files: readonly BundledFile[]): void {
  const folder = dirname(entry.filename);

  const requireOf = (module: NodeJS.Module, requires: BundledFile[1]): NodeJS.Require => {
    let outside: NodeJS.Require | undefined;
    const fromDisk = (): NodeJS.Require => (outside ??= createRequire(module.filename));
    const bundledRequire = (id: string): unknown => {
      const index = requires[id];
      if (index !== undefined) return load(index, module);
      // Built-in modules resolve the same from anywhere: no require of the file's own is needed.
      return id.startsWith('node:') ? require(id) : fromDisk()(id);
    };
    return Object.assign(bundledRequire, {
      resolve: Object.assign((id: string, options?: { paths?: string[] }) => fromDisk().resolve(id, options), {
        paths: (request: string) => fromDisk().resolve.paths(request),
      }),
      cache: require.cache,
      extensions: require.extensions,
      main: require.main,
    });
  };

  const run = (module: NodeJS.Module, file: BundledFile): void => {
    file[2].call(module.exports, module.exports, requireOf(module, file[1]), module, module.filename, dirname(module.filename));
  };

  const load = (index: number, parent: NodeJS.Module): unknown => {
    const file = files[index]!;
    const filename = join(folder, file[0]);
    // Required before, from the bundle or from disk (the ES-module entry requires the preload gate before this bundle): that copy is the one.
    const cached = require.cache[filename];
    if (cached !== undefined) return cached.exports;
    const module = new Module(filename, parent) as NodeJS.Module;
    module.filename = filename;
    module.paths = (Module as unknown as ModuleStatics)._nodeModulePaths(dirname(filename));
    require.cache[filename] = module;
    try {
      run(module, file);
    } catch (error) {
      // As Node.js does for a module that throws while it loads: the next require tries again.
      delete require.cache[filename];
      throw error;
    }
    module.loaded = true;
    return module.exports;
  };

  run(entry, files[0]!);
}

/**
 * The code cache file: the bundle's bytes as the build compiled them, then
 * V8's cache of them. V8 checks a cache against the length of its source
 * alone, so a bundle edited in place to the same length would run the old
 * code from it; compared byte for byte first, it cannot.
 */
export function codeCacheFile(source: Buffer, cachedData: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32LE(source.length);
  return Buffer.concat([length, source, cachedData]);
}

/** V8's cache from a code cache file when the file was made from exactly `source`, else undefined. */
export function cachedDataFor(source: Buffer, file: Buffer | undefined): Buffer | undefined {
  if (file === undefined || file.length < 4) return undefined;
  const length = file.readUInt32LE(0);
  if (length !== source.length || file.length <= 4 + length) return undefined;
  return file.subarray(4, 4 + length).equals(source) ? file.subarray(4 + length) : undefined;
}

function readIfPresent(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** The bundle in `folder` compiled, from its code cache when that holds this very source and this V8 takes it. */
export function compilePreloadBundle(folder: string): Script {
  const filename = join(folder, BUNDLE_FILE);
  const source = readFileSync(filename);
  return new Script(source.toString('utf8'), {
    filename,
    cachedData: cachedDataFor(source, readIfPresent(join(folder, CODE_CACHE_FILE))),
    // As Node.js compiles a CommonJS file: an `import()` in it loads through the app's loader.
    importModuleDynamically: vmConstants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
}

/** Runs the bundle beside `entry` (register.js) as `entry`; answers the compiled script (the build makes its code cache from it). */
export function loadPreloadBundle(entry: NodeJS.Module): Script {
  const script = compilePreloadBundle(dirname(entry.filename));
  runPreloadBundle(entry, script.runInThisContext() as readonly BundledFile[]);
  return script;
}
