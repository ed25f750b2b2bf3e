/**
 * The agent's own module hook: hands an instrumented package's exports to its
 * patch when the app first loads the package, through `require` and, once
 * the ESM loader hook is in place (agent/esmLoaderHook.ts), through `import`.
 *
 * Not @opentelemetry/instrumentation's InstrumentationBase: with its require
 * hook (require-in-the-middle, which loads `debug`), import-in-the-middle and
 * the OpenTelemetry API it needs, it held the app's start about 20 ms before
 * the app's first line, and its require hook resolved every `require` of
 * the app's to a file. This one is a file, and resolves a `require` only
 * when it names a hooked package: by its name (as the app, and pg for
 * pg-pool, do), or by a path into it (`pg/lib/index.js`,
 * `require(require.resolve('pg'))`, `…/node_modules/pg`, as some ORMs load
 * their driver); the package is patched when that resolves to its main
 * file. A prerelease is left alone, as upstream's version ranges do.
 */
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { reportAgentError, type AgentComponent } from './agentErrors';

export interface PackageHook {
  /** The package's name, as `require` and `import` name it. */
  readonly name: string;
  /** The major versions the patch supports. */
  readonly supportedMajors: readonly number[];
  /** Where a failing patch is counted (core/agentErrors.ts). */
  readonly component: AgentComponent;
  /** Returns what the app gets: the exports, patched, or what replaces them. `folder` holds the package's package.json. */
  patch(exports: unknown, version: string, folder: string): unknown;
}

/** Hooks `import`s of the named packages: `onImport` gets each one's namespace (import-in-the-middle's Hook). */
export type ImportHooker = (names: readonly string[], onImport: (namespace: unknown, name: string, baseDir: string | undefined) => unknown) => void;

type RequireFunction = (this: Module, id: string) => unknown;
type ModuleInternals = typeof Module & {
  _resolveFilename(request: string, parent: Module | null): string;
  _cache: Record<string, { loaded?: boolean } | undefined>;
};
const internals = Module as ModuleInternals;

const hooksByName = new Map<string, PackageHook[]>();
/** What each package's exports became, so every `require` of it gets the same. */
const patchedExports = new WeakMap<object, unknown>();
let importHooker: ImportHooker | undefined;
let requireHooked = false;

/** The CommonJS exports of a package, whether a patch is handed those (`require`) or an ES-module namespace (`import`). */
export function commonJsExports<T>(loaded: T): T {
  const namespace = loaded as { [Symbol.toStringTag]?: unknown; default?: T };
  return namespace[Symbol.toStringTag] === 'Module' && namespace.default ? namespace.default : loaded;
}

interface PackageFound {
  readonly version: string;
  readonly folder: string;
}

/** A package's version and folder: the nearest package.json of that name above its main file (at most four levels up). */
function findPackage(name: string, file: string): PackageFound | undefined {
  let folder = dirname(file);
  for (let level = 0; level < 5; level += 1) {
    try {
      const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === name) return typeof manifest.version === 'string' ? { version: manifest.version, folder } : undefined;
    } catch {
      // No package.json here (or not one we can read): one level up.
    }
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  return undefined;
}

function applyHooks(hooks: readonly PackageHook[], exports: unknown, found: PackageFound | undefined): unknown {
  if (found === undefined || found.version.includes('-')) return exports;
  const major = Number.parseInt(found.version, 10);
  let current = exports;
  for (const hook of hooks) {
    if (!hook.supportedMajors.includes(major)) continue;
    try {
      current = hook.patch(current, found.version, found.folder);
    } catch (error) {
      reportAgentError(hook.component, error);
    }
  }
  return current;
}

const NODE_MODULES = 'node_modules';

/**
 * The hooked package a path request may point into, by the request alone:
 * its first segment (`pg/lib/index.js`) or the one after its last
 * node_modules (`…/node_modules/pg`, `…/node_modules/pg/…`, either
 * separator). A relative request of the app's own stops at two searches.
 */
function packageNamedIn(id: string): string | undefined {
  const slash = id.indexOf('/');
  if (slash > 0 && id[0] !== '.') {
    const first = id.slice(0, slash);
    if (hooksByName.has(first)) return first;
  }
  const at = id.lastIndexOf(NODE_MODULES);
  if (at < 0) return undefined;
  const rest = id.slice(at + NODE_MODULES.length + 1);
  const end = rest.search(/[\\/]/);
  const name = end < 0 ? rest : rest.slice(0, end);
  return hooksByName.has(name) ? name : undefined;
}

/** The exports of files a path request reached that are not their package's main file: not resolved again. */
const notMainExports = new WeakSet<object>();

/** What `require` of `name`, or of its folder, resolves to, from the package's own folder. */
function resolvesTo(request: string, folder: string): string | undefined {
  try {
    return createRequire(join(folder, 'package.json')).resolve(request);
  } catch {
    return undefined;
  }
}

/**
 * The package `file` is the main file of, if it is `name`'s: what its name
 * resolves to (through its "exports", lru-cache 11's `node` build) or its
 * folder does (its "main").
 */
function packageOfMainFile(name: string, file: string): PackageFound | undefined {
  const found = findPackage(name, file);
  return found !== undefined && (resolvesTo(name, found.folder) === file || resolvesTo(found.folder, found.folder) === file) ? found : undefined;
}

function patchRequired(parent: Module, name: string, id: string, exports: unknown): unknown {
  if ((typeof exports !== 'object' && typeof exports !== 'function') || exports === null) return exports;
  if (patchedExports.has(exports)) return patchedExports.get(exports);
  if (id !== name && notMainExports.has(exports)) return exports;
  const hooks = hooksByName.get(name)!;
  let found: PackageFound | undefined;
  try {
    const file = internals._resolveFilename(id, parent);
    // Inside a require cycle the package is still loading: patched at a later require, once it is whole.
    if (internals._cache[file]?.loaded === false) return exports;
    found = id === name ? findPackage(name, file) : packageOfMainFile(name, file);
    // A path to another file of the package: not the package's exports, nothing to patch.
    if (found === undefined && id !== name) {
      notMainExports.add(exports);
      return exports;
    }
  } catch (error) {
    reportAgentError(hooks[0].component, error);
  }
  const patched = applyHooks(hooks, exports, found);
  patchedExports.set(exports, patched);
  return patched;
}

function hookRequire(): void {
  if (requireHooked) return;
  requireHooked = true;
  const original = Module.prototype.require as unknown as RequireFunction;
  const hooked = function require(this: Module, id: string): unknown {
    const exports = original.call(this, id);
    const name = hooksByName.has(id) ? id : packageNamedIn(id);
    return name === undefined ? exports : patchRequired(this, name, id, exports);
  };
  Module.prototype.require = hooked as unknown as typeof Module.prototype.require;
}

function hookImports(hooker: ImportHooker, names: readonly string[]): void {
  hooker(names, (namespace, name, baseDir) => {
    const hooks = hooksByName.get(name);
    if (hooks === undefined || baseDir === undefined) return undefined;
    const patched = applyHooks(hooks, namespace, findPackage(name, join(baseDir, 'package.json')));
    return patched === namespace ? undefined : patched;
  });
}

/** Patches each package the app loads from now on, by `require` and (once the loader hook is in) by `import`. */
export function hookPackages(hooks: readonly PackageHook[]): void {
  hookRequire();
  const added: string[] = [];
  for (const hook of hooks) {
    const known = hooksByName.get(hook.name);
    if (known) known.push(hook);
    else {
      hooksByName.set(hook.name, [hook]);
      added.push(hook.name);
    }
  }
  if (importHooker && added.length > 0) hookImports(importHooker, added);
}

/** Called once the ESM loader hook is installed: `import`s of the packages hooked so far and later reach their patches. */
export function hookImportsWith(hooker: ImportHooker): void {
  if (importHooker) return;
  importHooker = hooker;
  if (hooksByName.size > 0) hookImports(hooker, [...hooksByName.keys()]);
}
