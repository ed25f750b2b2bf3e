/**
 * Runs the preload's files from one file. The build (scripts/preload-bundle.mjs)
 * writes the preload's compiled files into dist/agent/register.bundle.js, each
 * inside the function Node.js would wrap it in, so that Node.js reads and
 * compiles one file at preload instead of 65: their resolving and reading was
 * about half of the preload's time (profiled, `node --require … -e 0`). The
 * build also rewrites dist/agent/register.js as this file's compiled code and
 * the line that runs it (`loadPreloadBundle`): read from disk as a file of
 * its own, with agentOff.ts, it cost the preload about 1 ms more.
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
import { Module, createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { Script } from 'node:vm';
import type * as AgentOff from './agentOff';

/** Beside register.js: the bundle, and the code cache the build made of it. */
export const BUNDLE_FILE = 'register.bundle.js';
export const CODE_CACHE_FILE = 'register.bundle.cache';

/** The function the build wraps a compiled file in: Node.js's own CommonJS wrapper's parameters. */
type ModuleBody = (exports: unknown, require: NodeJS.Require, module: NodeJS.Module, filename: string, dirname: string) => void;

/**
 * One file of the bundle: its folder relative to the bundle's folder (`.`,
 * `../core`), its name, the index of each file of the bundle it requires (by
 * the specifier it writes), and its body. Folder and name apart: a folder's
 * path and its node_modules lookup paths are worked out once for all its
 * files (path.join and Module._nodeModulePaths read their input a character
 * at a time, and per file they cost the preload 2–3 ms).
 */
export type BundledFile = readonly [folder: string, name: string, requires: Readonly<Record<string, number>>, body: ModuleBody];

/** A folder of the bundle's files, resolved once. */
interface ResolvedFolder {
  readonly path: string;
  readonly nodeModulePaths: readonly string[];
}

/** What every CommonJS module gets from Node.js and `Module`'s typings leave out. */
interface ModuleStatics {
  _nodeModulePaths(folder: string): string[];
}

/**
 * `relative` (`.`, `../core`, `../instrumentations/pg`) below `base`, as
 * path.join would give it: by cutting at separators, which the string's own
 * methods find at once, where path.join's normalizing reads a character at a
 * time (12 folders cost the preload 0.6–0.9 ms that way). Any other shape,
 * or a parent that would be the root, goes through path.join.
 */
export function folderBelow(base: string, relative: string): string {
  let path = base;
  let rest = relative === '.' ? '' : relative;
  while (rest === '..' || rest.startsWith('../')) {
    const cut = path.lastIndexOf(sep);
    if (cut <= path.indexOf(sep)) return join(base, relative);
    path = path.slice(0, cut);
    rest = rest.slice(3);
  }
  if (rest === '') return path;
  const segments = rest.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return join(base, relative);
  return `${path}${sep}${segments.join(sep)}`;
}

/** Runs `files[0]` as `entry` (the bundle's own module); the others run when first required. */
export function runPreloadBundle(entry: NodeJS.Module, files: readonly BundledFile[]): void {
  const bundleFolder = dirname(entry.filename);
  const folders = new Map<string, ResolvedFolder>();
  const resolveFolder = (relative: string): ResolvedFolder => {
    let folder = folders.get(relative);
    if (folder === undefined) {
      const path = folderBelow(bundleFolder, relative);
      folder = { path, nodeModulePaths: (Module as unknown as ModuleStatics)._nodeModulePaths(path) };
      folders.set(relative, folder);
    }
    return folder;
  };

  const requireOf = (module: NodeJS.Module, requires: BundledFile[2]): NodeJS.Require => {
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

  const run = (module: NodeJS.Module, file: BundledFile, folderPath: string): void => {
    file[3].call(module.exports, module.exports, requireOf(module, file[2]), module, module.filename, folderPath);
  };

  const load = (index: number, parent: NodeJS.Module): unknown => {
    const file = files[index]!;
    const folder = resolveFolder(file[0]);
    const filename = `${folder.path}${sep}${file[1]}`;
    // Required before, from the bundle or from disk (the ES-module entry requires the preload gate before this bundle): that copy is the one.
    const cached = require.cache[filename];
    if (cached !== undefined) return cached.exports;
    const module = new Module(filename, parent) as NodeJS.Module;
    module.filename = filename;
    // A copy each, as Node.js gives every module an array of its own.
    module.paths = [...folder.nodeModulePaths];
    require.cache[filename] = module;
    try {
      run(module, file, folder.path);
    } catch (error) {
      // As Node.js does for a module that throws while it loads: the next require tries again.
      delete require.cache[filename];
      throw error;
    }
    module.loaded = true;
    return module.exports;
  };

  run(entry, files[0]!, bundleFolder);
}

/**
 * The code cache file: the Node.js that made it, the bundle's bytes as it
 * compiled them, then V8's cache of them, twice. Each is checked before V8
 * is handed the cache, for what V8 itself does not check:
 * - V8 checks a cache against the length of its source alone, so a bundle
 *   edited in place to the same length would run the old code from it;
 * - V8 checks its own version, not Node.js's, whose releases may patch V8
 *   without changing that version;
 * - V8 does not check the cache's own bytes, and damaged ones crash the
 *   process in V8 (no exception to catch): two copies that still agree have
 *   not been damaged, and comparing them costs a memcmp where a checksum of
 *   the 170 KB would cost the preload milliseconds in JavaScript or in
 *   loading `node:zlib` or `node:crypto`.
 */
export function codeCacheFile(source: Buffer, cachedData: Buffer, runtime: string = runtimeTag()): Buffer {
  return Buffer.concat([lengthPrefixed(Buffer.from(runtime)), lengthPrefixed(source), lengthPrefixed(cachedData), cachedData]);
}

/** V8's cache from a code cache file made by `runtime` from exactly `source`, undamaged; else undefined. */
export function cachedDataFor(source: Buffer, file: Buffer | undefined, runtime: string = runtimeTag()): Buffer | undefined {
  if (file === undefined) return undefined;
  const [madeBy, afterTag] = readPrefixed(file, 0);
  if (madeBy === undefined || !madeBy.equals(Buffer.from(runtime))) return undefined;
  const [madeFrom, afterSource] = readPrefixed(file, afterTag);
  if (madeFrom === undefined || !madeFrom.equals(source)) return undefined;
  const [cachedData, afterData] = readPrefixed(file, afterSource);
  if (cachedData === undefined || cachedData.length === 0 || file.length !== afterData + cachedData.length) return undefined;
  return cachedData.equals(file.subarray(afterData)) ? cachedData : undefined;
}

/** The Node.js release and architecture a cache is for. */
function runtimeTag(): string {
  return `${process.version} ${process.arch}`;
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32LE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** The length-prefixed bytes at `offset` and the offset after them; undefined bytes when the file ends first. */
function readPrefixed(file: Buffer, offset: number): [Buffer | undefined, number] {
  if (file.length < offset + 4) return [undefined, offset];
  const end = offset + 4 + file.readUInt32LE(offset);
  return end > file.length ? [undefined, offset] : [file.subarray(offset + 4, end), end];
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
  // `folder` comes normalized (the folder of a module's filename): no path.join needed.
  const filename = `${folder}${sep}${BUNDLE_FILE}`;
  const source = readFileSync(filename);
  // No `importModuleDynamically`: the build refuses a bundled file with an `import()` (scripts/preload-bundle.mjs).
  return new Script(source.toString('utf8'), { filename, cachedData: cachedDataFor(source, readIfPresent(`${folder}${sep}${CODE_CACHE_FILE}`)) });
}

/**
 * Runs the bundle beside `entry` (register.js) as `entry`; answers the
 * compiled script (the build makes its code cache from it). A bundle that
 * is missing or does not compile (a broken install) leaves the agent off,
 * with one line, and the app starts.
 */
export function loadPreloadBundle(entry: NodeJS.Module): Script | undefined {
  let script: Script;
  try {
    script = compilePreloadBundle(dirname(entry.filename));
  } catch (error) {
    // Required only here: the preload does not read this file from disk when it starts.
    process.stderr.write((require('./agentOff') as typeof AgentOff).agentOffLine(error));
    return undefined;
  }
  runPreloadBundle(entry, script.runInThisContext() as readonly BundledFile[]);
  return script;
}
