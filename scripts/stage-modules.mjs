// Writes dist/agent/stageModules.json (agent/stageModules.ts): for each group
// of the agent's later start-up stages, the agent's own compiled files its
// roots reach, in the order `require` would evaluate them (each after the
// files it requires), without those the preload or an earlier group loads;
// and for each SDK package loaded a file per stage, its files in that order
// with the version installed here (a package with a cycle gets no plan: at
// run time it is planned, finds the cycle and loads whole). Run after tsc
// (npm run build). A root of the agent's own whose files require each other
// in a cycle cannot be sliced: the build fails and names it, rather than
// shipping a list that would evaluate a file before one it needs.
// Usage: node scripts/stage-modules.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const AGENT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'agent');
const requireAgent = createRequire(join(AGENT_DIR, 'index.js'));
const { evaluationOrder, packageRootOf } = requireAgent('./moduleSlices.js');
const { PRELOAD_ROOTS, STAGE_MODULE_ROOTS, STAGE_MODULES_FILE, STAGE_PACKAGES, stagePackageCopies } = requireAgent('./stageModules.js');

/** The list is read on any platform: its paths use `/`. */
function posixPath(path) {
  return path.split(sep).join('/');
}

function filesOf(root) {
  const files = evaluationOrder(requireAgent.resolve(root));
  if (files === undefined) throw new Error(`stage-modules: ${root} could not be ordered (a require cycle among its files, or an unreadable file)`);
  return files;
}

const loaded = new Set(PRELOAD_ROOTS.flatMap(filesOf));
const groups = {};
for (const [group, roots] of Object.entries(STAGE_MODULE_ROOTS)) {
  groups[group] = [];
  for (const file of roots.flatMap(filesOf)) {
    if (loaded.has(file)) continue;
    loaded.add(file);
    const path = posixPath(relative(AGENT_DIR, file));
    groups[group].push(path.startsWith('.') ? path : `./${path}`);
  }
}
groups.packages = {};
for (const id of STAGE_PACKAGES) {
  // The plan is for the copy loaded first (a second copy, if any, is planned at run time).
  const entry = stagePackageCopies(id, requireAgent)[0].resolve(id);
  const root = packageRootOf(entry, id);
  const files = evaluationOrder(entry);
  if (root === undefined || files === undefined) continue;
  const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
  groups.packages[id] = { version, files: files.map((file) => posixPath(file.slice(root.length))) };
}
writeFileSync(join(AGENT_DIR, STAGE_MODULES_FILE), `${JSON.stringify(groups, null, 1)}\n`);
