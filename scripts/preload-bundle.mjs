// Writes dist/agent/register.bundle.js, one file holding every compiled file
// the preload loads (agent/preloadBundle.ts runs them): the files of
// stageModules.ts PRELOAD_ROOTS, as scripts/stage-modules.mjs finds them,
// each wrapped in the function Node.js would wrap it in, with the files of
// the bundle it requires by index. Rewrites dist/agent/register.js, the
// preload, as agent/preloadBundle.ts's compiled code and the line that runs
// the bundle with it, then has
// scripts/preload-code-cache.cjs make the bundle's V8 code cache. Run after
// tsc (npm run build): it reads tsc's register.js and refuses one it has
// already rewritten.
// Usage: node scripts/preload-bundle.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const AGENT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'agent');
const ENTRY = join(AGENT_DIR, 'register.js');
const MARKER = '// querylens preload bundle';
const requireAgent = createRequire(ENTRY);
const { evaluationOrder, ownFileRequires } = requireAgent('./moduleSlices.js');
const { PRELOAD_ROOTS } = requireAgent('./stageModules.js');
const { BUNDLE_FILE, CODE_CACHE_FILE } = requireAgent('./preloadBundle.js');
const RUNNER = join(AGENT_DIR, 'preloadBundle.js');

const SOURCE_MAP_COMMENT = /\n\/\/# sourceMappingURL=\S+\s*$/;

const entrySource = readFileSync(ENTRY, 'utf8');
if (entrySource.startsWith(`'use strict';\n${MARKER}`)) throw new Error('preload-bundle: dist/agent/register.js is a bundle already; run tsc first (npm run build)');

const files = [ENTRY];
for (const root of PRELOAD_ROOTS) {
  const order = evaluationOrder(requireAgent.resolve(root));
  if (order === undefined) throw new Error(`preload-bundle: ${root} could not be ordered (a require cycle among its files, or an unreadable file)`);
  for (const file of order) if (!files.includes(file)) files.push(file);
}
const indexOf = new Map(files.map((file, index) => [file, index]));

function sourceOf(file) {
  return (file === ENTRY ? entrySource : readFileSync(file, 'utf8')).replace(SOURCE_MAP_COMMENT, '\n');
}

function bundledRequires(file, source) {
  const requireFrom = createRequire(file);
  const requires = {};
  for (const specifier of ownFileRequires(source)) {
    const index = indexOf.get(requireFrom.resolve(specifier));
    if (index !== undefined) requires[specifier] = index;
  }
  return requires;
}

// The bundle compiles through vm.Script, whose `import()` would resolve from the bundle's own path, not the file's.
const DYNAMIC_IMPORT = /\bimport\s*\(/;
const COMMENTS = /\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm;

// One character outside ASCII makes the whole bundle a two-byte string: decoding it took 3.3 ms
// at preload against 1.0 for the same bundle in ASCII (233 KB). In tsc's output those characters
// stand in comments and string literals, where a \u escape means the same; after a backslash
// (an escape of the character itself) it would not.
const NON_ASCII = /[^\x00-\x7f]/g;
function asciiOnly(file, source) {
  if (/\\[^\x00-\x7f]/.test(source)) throw new Error(`preload-bundle: ${file} escapes a character outside ASCII with a backslash, which the bundle cannot rewrite as \\u`);
  return source.replace(NON_ASCII, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const entries = files.map((file) => {
  const source = sourceOf(file);
  if (DYNAMIC_IMPORT.test(source.replace(COMMENTS, ''))) throw new Error(`preload-bundle: ${file} has an import(), which the bundle cannot run as its file would; load that code outside the preload`);
  const folder = relative(AGENT_DIR, dirname(file)).split(sep).join('/') || '.';
  return `[${JSON.stringify(folder)}, ${JSON.stringify(basename(file))}, ${JSON.stringify(bundledRequires(file, source))}, (function (exports, require, module, __filename, __dirname) {\n${asciiOnly(file, source)}})]`;
});
// A cache of an earlier bundle must never sit beside this one, even if the build stops below.
rmSync(join(AGENT_DIR, CODE_CACHE_FILE), { force: true });
writeFileSync(join(AGENT_DIR, BUNDLE_FILE), `'use strict';\n// The preload's ${files.length} compiled files (scripts/preload-bundle.mjs), run from register.js by agent/preloadBundle.ts.\n[\n${entries.join(',\n')},\n]\n`);
// The runner inside the preload itself: one file fewer for Node.js to find, read and compile at preload.
const runner = asciiOnly(RUNNER, readFileSync(RUNNER, 'utf8').replace(SOURCE_MAP_COMMENT, '\n'));
writeFileSync(ENTRY, `'use strict';\n${MARKER} (scripts/preload-bundle.mjs): runs ${BUNDLE_FILE}, ${files.length} compiled files, with agent/preloadBundle.ts, compiled below.\nconst preloadBundle = { exports: {} };\n(function (exports, module) {\n${runner}})(preloadBundle.exports, preloadBundle);\npreloadBundle.exports.loadPreloadBundle(module);\n`);
// tsc's map was for the file this replaces.
rmSync(`${ENTRY}.map`, { force: true });
// In a process of its own with no flags and no variables: V8 takes a cache only under the flags it was made with.
execFileSync(process.execPath, [join(dirname(fileURLToPath(import.meta.url)), 'preload-code-cache.cjs'), AGENT_DIR], { env: {}, stdio: 'inherit' });
