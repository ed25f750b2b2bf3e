/**
 * The agent's own module hook (core/moduleHook.ts), on packages installed
 * here (`ms` 2, `js-yaml` 4): a package is patched the first time it is
 * required after it is hooked, with its own version and folder; every later
 * require gets what the patch returned; a major it does not support, or a
 * patch that throws, leaves the app the package as it is.
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
    // A file of the package named by its path is not the package's name: left alone.
    expect(requireHere('ms/index.js')).not.toBe(replacement);
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
    expect(asked).toEqual([['ms', 'js-yaml'], ['yaml']]);
  });
});
