'use strict';
// Writes the V8 code cache of dist/agent/register.bundle.js
// (agent/preloadBundle.ts): runs the preload as `node --require` would, in
// this process, then saves the cache of the compiled bundle, which then
// holds the bytecode of every function the preload ran, not only of its top
// level. scripts/preload-bundle.mjs runs it with no flags and an empty
// environment (V8 takes a cache only under the flags it was made with; an
// exporter variable would start more than the preload); its stages never run:
// their timers do not keep the process alive.
// Usage: node scripts/preload-code-cache.cjs <dist/agent>
const { readFileSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { join, resolve } = require('node:path');

const agentDir = resolve(process.argv[2]);
const { BUNDLE_FILE, CODE_CACHE_FILE, codeCacheFile, loadPreloadBundle } = require(join(agentDir, 'preloadBundle.js'));

const filename = join(agentDir, 'register.js');
const entry = new Module(filename, null);
entry.filename = filename;
entry.paths = Module._nodeModulePaths(agentDir);
require.cache[filename] = entry;
const script = loadPreloadBundle(entry);
// A preload that failed here would make a cache of a partial run: the build stops instead.
if (script === undefined || require(join(agentDir, 'start.js')).startedAgent()?.active !== true) throw new Error('preload-code-cache: the preload did not start the agent');
writeFileSync(join(agentDir, CODE_CACHE_FILE), codeCacheFile(readFileSync(join(agentDir, BUNDLE_FILE)), script.createCachedData()));
