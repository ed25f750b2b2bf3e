/**
 * agent/preloadBundle.ts: the files of the preload's one file run as the
 * modules they would be from disk, and the file compiles from its code cache
 * only when the cache was made from that very file. The bodies below are this
 * test's own modules, written as the build wraps compiled files.
 */
import Module from 'node:module';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { Script } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BUNDLE_FILE, CODE_CACHE_FILE, cachedDataFor, codeCacheFile, compilePreloadBundle, folderBelow, loadPreloadBundle, runPreloadBundle, type BundledFile } from '../../agent/preloadBundle';

type Body = BundledFile[3];

/** The node_modules lookup paths Node.js gives a module in `folder` (Module._nodeModulePaths, which its typings leave out). */
const nodeModulePaths = (folder: string): string[] => (Module as unknown as { _nodeModulePaths(folder: string): string[] })._nodeModulePaths(folder);

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) {
    for (const key of Object.keys(require.cache)) if (key.startsWith(folder)) delete require.cache[key];
    rmSync(folder, { recursive: true, force: true });
  }
});

/** A bundle's own module, as Node.js makes it for the file it loads, in a folder of its own. */
function entryModule(): NodeJS.Module {
  const folder = mkdtempSync(join(tmpdir(), 'ql-bundle-'));
  folders.push(folder);
  const entry = new Module(join(folder, 'entry.js')) as NodeJS.Module;
  entry.filename = join(folder, 'entry.js');
  return entry;
}

describe('runPreloadBundle', () => {
  it('runs each file once, as a module under its own path, with its own __filename and __dirname', () => {
    const entry = entryModule();
    const seen: { filename: string; dirname: string; sameTwice: boolean }[] = [];
    let evaluations = 0;
    const main: Body = (_exports, require, _module, filename, dirname) => {
      const first = require('./lib/a') as { value: number };
      seen.push({ filename, dirname, sameTwice: first === require('./lib/a') });
    };
    const a: Body = (exports, _require, module, filename, dirname) => {
      evaluations += 1;
      (exports as { value: number }).value = 42;
      seen.push({ filename, dirname, sameTwice: module.filename === filename });
    };
    const folder = join(entry.filename, '..');
    const aPath = join(folder, 'lib', 'a.js');
    // The compiled file stays on disk beside the bundle, as dist/ keeps it.
    mkdirSync(join(folder, 'lib'));
    writeFileSync(aPath, 'exports.value = "disk";\n');
    runPreloadBundle(entry, [['.', 'entry.js', { './lib/a': 1 }, main], ['lib', 'a.js', {}, a]]);
    expect(evaluations).toBe(1);
    expect(seen).toEqual([
      { filename: aPath, dirname: join(folder, 'lib'), sameTwice: true },
      { filename: entry.filename, dirname: folder, sameTwice: true },
    ]);
    const cached = require.cache[aPath];
    expect(cached?.loaded).toBe(true);
    expect(cached?.exports).toEqual({ value: 42 });
    expect(cached?.paths).toEqual(nodeModulePaths(join(folder, 'lib')));
    // A require from anywhere else gets the bundle's module, not a second copy from the file.
    expect(require(aPath)).toBe(cached?.exports);
  });

  it('places files of other folders, up and down, each with node_modules paths of its own folder in an array of its own', () => {
    const entry = entryModule();
    const folder = join(entry.filename, '..');
    const modules: NodeJS.Module[] = [];
    const keep: Body = (_exports, _require, module) => { modules.push(module); };
    const main: Body = (_exports, require) => {
      require('../core/a');
      require('../core/b');
      require('./sub/c');
    };
    runPreloadBundle(entry, [['.', 'entry.js', { '../core/a': 1, '../core/b': 2, './sub/c': 3 }, main], ['../core', 'a.js', {}, keep], ['../core', 'b.js', {}, keep], ['sub', 'c.js', {}, keep]]);
    const core = join(folder, '..', 'core');
    expect(modules.map((module) => [module.filename, module.paths])).toEqual([
      [join(core, 'a.js'), nodeModulePaths(core)],
      [join(core, 'b.js'), nodeModulePaths(core)],
      [join(folder, 'sub', 'c.js'), nodeModulePaths(join(folder, 'sub'))],
    ]);
    expect(modules[0]!.paths).not.toBe(modules[1]!.paths);
    for (const module of modules) delete require.cache[module.filename];
  });

  it('leaves a file nothing requires unevaluated', () => {
    const entry = entryModule();
    let evaluated = false;
    runPreloadBundle(entry, [['.', 'entry.js', {}, () => undefined], ['.', 'unused.js', {}, () => { evaluated = true; }]]);
    expect(evaluated).toBe(false);
    expect(require.cache[join(entry.filename, '..', 'unused.js')]).toBeUndefined();
  });

  it('uses the copy already loaded from disk rather than evaluating its own', () => {
    const entry = entryModule();
    const onDisk = join(entry.filename, '..', 'gate.js');
    writeFileSync(onDisk, 'exports.from = "disk";\n');
    const fromDisk = require(onDisk) as { from: string };
    let got: unknown;
    runPreloadBundle(entry, [['.', 'entry.js', { './gate': 1 }, (_e, require) => { got = require('./gate'); }], ['.', 'gate.js', {}, (exports) => { (exports as { from: string }).from = 'bundle'; }]]);
    expect(got).toBe(fromDisk);
    expect(fromDisk.from).toBe('disk');
  });

  it('hands a file in a cycle the other\'s exports half made, as require does', () => {
    const entry = entryModule();
    let seenByB: unknown;
    const a: Body = (exports, require) => {
      (exports as { early: boolean }).early = true;
      require('./b');
      (exports as { late: boolean }).late = true;
    };
    const b: Body = (_exports, require) => { seenByB = { ...(require('./a') as object) }; };
    runPreloadBundle(entry, [['.', 'entry.js', { './a': 1 }, (_e, require) => { require('./a'); }], ['.', 'a.js', { './b': 2 }, a], ['.', 'b.js', { './a': 1 }, b]]);
    expect(seenByB).toEqual({ early: true });
  });

  it('forgets a file that threw while it loaded: the next require runs it again', () => {
    const entry = entryModule();
    let attempts = 0;
    const flaky: Body = (exports) => {
      attempts += 1;
      if (attempts === 1) throw new Error('first load fails');
      (exports as { ok: boolean }).ok = true;
    };
    const outcomes: unknown[] = [];
    const main: Body = (_e, require) => {
      try {
        require('./flaky');
      } catch (error) {
        outcomes.push((error as Error).message);
        outcomes.push(require.cache[join(entry.filename, '..', 'flaky.js')]);
      }
      outcomes.push(require('./flaky'));
    };
    runPreloadBundle(entry, [['.', 'entry.js', { './flaky': 1 }, main], ['.', 'flaky.js', {}, flaky]]);
    expect(outcomes).toEqual(['first load fails', undefined, { ok: true }]);
  });

  it('resolves what is not in the bundle from the file\'s own folder, and built-in modules as anywhere', () => {
    const entry = entryModule();
    const folder = join(entry.filename, '..');
    writeFileSync(join(folder, 'outside.js'), 'exports.where = __dirname;\n');
    let got: { outside?: unknown; resolved?: string; path?: unknown } = {};
    const main: Body = (_e, require) => {
      got = { outside: require('./outside'), resolved: require.resolve('./outside'), path: require('node:path') };
    };
    runPreloadBundle(entry, [['.', 'entry.js', {}, main]]);
    expect(got).toEqual({ outside: { where: folder }, resolved: join(folder, 'outside.js'), path: require('node:path') });
  });
});

describe('folderBelow', () => {
  it('gives the folder path.join gives, for the shapes the build writes and any other', () => {
    const base = join(tmpdir(), 'dist', 'agent');
    for (const relative of ['.', '..', '../core', '../core/metrics', '../../lib', 'sub', 'sub/deeper', './sub', 'a//b', '../a/../b']) {
      expect(folderBelow(base, relative), relative).toBe(join(base, relative));
    }
    // Above the root, path.join stops at the root: so does this.
    expect(folderBelow(`${sep}agent`, '../../core')).toBe(join(`${sep}agent`, '../../core'));
  });
});

describe('the code cache of the bundle', () => {
  /** A folder holding `source` as the bundle and, when given, a code cache file made from `cachedFrom` after running it. */
  function bundleFolder(source: string, cachedFrom?: string): string {
    const folder = mkdtempSync(join(tmpdir(), 'ql-cache-'));
    folders.push(folder);
    writeFileSync(join(folder, BUNDLE_FILE), source);
    if (cachedFrom !== undefined) {
      const script = new Script(cachedFrom, { filename: join(folder, BUNDLE_FILE) });
      (script.runInThisContext() as () => number)();
      writeFileSync(join(folder, CODE_CACHE_FILE), codeCacheFile(Buffer.from(cachedFrom), script.createCachedData()));
    }
    return folder;
  }
  const ONE = '(function answer() { return 1; })';
  const TWO = '(function answer() { return 2; })';

  it('compiles from the cache made of the same file, and without one from no file', () => {
    const cached = compilePreloadBundle(bundleFolder(ONE, ONE));
    expect(cached.cachedDataRejected).toBe(false);
    expect((cached.runInThisContext() as () => number)()).toBe(1);
    const uncached = compilePreloadBundle(bundleFolder(ONE));
    expect(uncached.cachedDataRejected).toBeUndefined();
    expect((uncached.runInThisContext() as () => number)()).toBe(1);
  });

  it('runs a bundle edited to the same length as edited, where V8 alone would run the cached code', () => {
    const folder = bundleFolder(TWO, ONE);
    const script = compilePreloadBundle(folder);
    expect(script.cachedDataRejected).toBeUndefined();
    expect((script.runInThisContext() as () => number)()).toBe(2);
    // What the byte comparison guards against: V8 takes the other file's cache and runs its code.
    const stale = cachedDataFor(Buffer.from(ONE), readFileSync(join(folder, CODE_CACHE_FILE)));
    // Another name: V8 would otherwise reuse its in-memory compile of the same source and name, made just above.
    const trusting = new Script(TWO, { filename: join(folder, 'trusting.js'), cachedData: stale });
    expect(trusting.cachedDataRejected).toBe(false);
    expect((trusting.runInThisContext() as () => number)()).toBe(1);
  });

  it('finds no cache in a file cut short, empty, made from other bytes or by another Node.js', () => {
    const source = Buffer.from(ONE);
    const file = codeCacheFile(source, Buffer.from('v8 data'));
    expect(cachedDataFor(source, file)?.toString()).toBe('v8 data');
    expect(cachedDataFor(source, file.subarray(0, file.length - 1))).toBeUndefined();
    expect(cachedDataFor(source, file.subarray(0, 3))).toBeUndefined();
    expect(cachedDataFor(source, Buffer.alloc(0))).toBeUndefined();
    expect(cachedDataFor(source, undefined)).toBeUndefined();
    expect(cachedDataFor(Buffer.from(TWO), file)).toBeUndefined();
    expect(cachedDataFor(source, codeCacheFile(source, Buffer.from('v8 data'), 'v22.0.0 x64'))).toBeUndefined();
  });

  it('hands V8 no cache whose own bytes were damaged (V8 does not check them, and crashes on them)', () => {
    const folder = bundleFolder(ONE, ONE);
    const file = readFileSync(join(folder, CODE_CACHE_FILE));
    const data = cachedDataFor(Buffer.from(ONE), file)!;
    // A byte of the first copy of V8's data, flipped.
    const damaged = Buffer.from(file);
    damaged[file.length - 2 * data.length + 100] ^= 0xff;
    expect(cachedDataFor(Buffer.from(ONE), damaged)).toBeUndefined();
    writeFileSync(join(folder, CODE_CACHE_FILE), damaged);
    const script = compilePreloadBundle(folder);
    expect(script.cachedDataRejected).toBeUndefined();
    expect((script.runInThisContext() as () => number)()).toBe(1);
  });

  it('leaves the agent off with one line, and throws nothing, when the bundle is missing', () => {
    const entry = entryModule();
    const lines: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((line) => {
      lines.push(String(line));
      return true;
    });
    try {
      expect(loadPreloadBundle(entry)).toBeUndefined();
    } finally {
      write.mockRestore();
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^querylens: the agent could not start and is off for this process: ENOENT.*register\.bundle\.js'\n$/);
  });
});
