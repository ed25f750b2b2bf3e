/**
 * The agent's own module hook (core/moduleHook.ts), on packages installed
 * here (`ms` 2, `semver` 7, `lru-cache` 11, `js-yaml` 4, `yaml` 2): a package is patched the
 * first time it is required after it is hooked, by its name or by a path to
 * its main file, with its own version and folder; every later require gets
 * what the patch returned; a major it does not support, or a patch that
 * throws, leaves the app the package as it is. The hook is the process's:
 * the tests run in order in one worker, each hooking a package of its own.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentErrorCount } from '../../core/agentErrors';
import { hookImportsWith, hookPackages } from '../../core/moduleHook';

const requireHere = createRequire(import.meta.url);
const msFolder = dirname(requireHere.resolve('ms/package.json'));
const msVersion = (requireHere('ms/package.json') as { version: string }).version;

describe('the module hook', () => {
  it('patches a package at its first require, with its version and folder, and hands later requires the same', () => {
    const calls: { version: string; folder: string }[] = [];
    const replacement = { replaced: true };
    hookPackages([{
      name: 'ms',
      supportedMajors: [2],
      component: 'bootstrap',
      patch: (_exports, version, folder) => {
        calls.push({ version, folder });
        return replacement;
      },
    }]);
    expect(requireHere('ms')).toBe(replacement);
    expect(requireHere('ms')).toBe(replacement);
    expect(calls).toEqual([{ version: msVersion, folder: msFolder }]);
  });

  it('patches a package required by a path to its main file or folder, and leaves its other files alone', () => {
    const replacement = { replaced: true };
    let patches = 0;
    hookPackages([{ name: 'semver', supportedMajors: [7], component: 'bootstrap', patch: () => { patches += 1; return replacement; } }]);
    const parse = requireHere('semver/functions/parse.js') as unknown;
    expect(typeof parse).toBe('function');
    expect(requireHere(requireHere.resolve('semver'))).toBe(replacement);
    expect(requireHere(dirname(requireHere.resolve('semver/package.json')))).toBe(replacement);
    expect(requireHere('semver/index.js')).toBe(replacement);
    expect(requireHere('semver')).toBe(replacement);
    expect(patches).toBe(1);
  });

  it('takes the file a package\'s name resolves to through its "exports" for its main file, and a path to it under node_modules', () => {
    // lru-cache 11: `require('lru-cache')` gives its node build, which is not its package.json "main".
    const replacement = { replaced: true };
    hookPackages([{ name: 'lru-cache', supportedMajors: [11], component: 'bootstrap', patch: () => replacement }]);
    const nodeBuild = requireHere.resolve('lru-cache');
    expect(nodeBuild).toMatch(/node_modules[\\/]lru-cache[\\/]/);
    expect(requireHere(nodeBuild)).toBe(replacement);
    expect(requireHere('lru-cache')).toBe(replacement);
    // Another file of the package, reached again: still the package's own, not resolved as a main file again.
    const raw = requireHere('lru-cache/raw') as unknown;
    expect(raw).not.toBe(replacement);
    expect(requireHere('lru-cache/raw')).toBe(raw);
  });

  it('leaves a major it does not support, and the package of a patch that throws, as they are', () => {
    const original = requireHere('js-yaml') as object;
    const before = agentErrorCount('lru-cache-instrumentation');
    let unsupportedCalled = false;
    hookPackages([
      { name: 'js-yaml', supportedMajors: [3], component: 'bootstrap', patch: () => { unsupportedCalled = true; return {}; } },
      { name: 'js-yaml', supportedMajors: [4], component: 'lru-cache-instrumentation', patch: () => { throw new Error('patch failed'); } },
    ]);
    expect(requireHere('js-yaml')).toBe(original);
    expect(unsupportedCalled).toBe(false);
    expect(agentErrorCount('lru-cache-instrumentation')).toBe(before + 1);
  });

  it('hands the import hook every package hooked, before it was given and after', () => {
    const asked: string[][] = [];
    hookImportsWith((names) => asked.push([...names]));
    hookPackages([{ name: 'yaml', supportedMajors: [2], component: 'bootstrap', patch: (exports) => exports }]);
    expect(asked).toEqual([['ms', 'semver', 'lru-cache', 'js-yaml'], ['yaml']]);
  });
});
