/**
 * Runs the preload's files from one file. The build (scripts/preload-bundle.mjs)
 * writes dist/agent/register.js as the preload's compiled files, each inside
 * the function Node.js would wrap it in, so that Node.js resolves, reads and
 * compiles one file at preload instead of 65: their resolving and reading was
 * about half of the preload's time (profiled, `node --require … -e 0`).
 *
 * Each file still becomes a module of its own, under its real path in
 * `require.cache`, with its own `__filename`, `__dirname` and `require`: a
 * later `require` of one of them, from a stage or from anywhere, gets the
 * same exports, and nothing is loaded twice. A file evaluates when it is
 * first required, as it would from disk. Without the build's bundle (`tsc`
 * alone) the same files load from disk, one by one.
 */
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

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
