// Checks that imports run one way through the agent's folders: each folder in
// LAYERS may import itself and the folders listed before it, never one after
// it; and a capture package imports no other capture package but the shared
// cache telemetry. Reads the TypeScript sources (type-only imports count: a
// type shared across stages ties them as much as a call does).
// Usage: node scripts/check-layers.mjs   (exit 1 and one line per offending import)
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bottom to top: capture → analyse → record → serve, on the core, under the entry points. */
export const LAYERS = [
  'core',
  'instrumentations',
  'sql',
  'exporters',
  'recording',
  'agentQueries',
  'report',
  'http',
  'cache',
  'dashboards',
  'fleet',
  'agent',
];
const SHARED_CAPTURE = 'instrumentations/cacheTelemetry';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm;

function sourceFiles(dir) {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.m?ts$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((file) => !file.includes('/node_modules/'));
}

function layerOf(file) {
  return LAYERS.indexOf(file.split('/')[0]);
}

/** `instrumentations/pg/x.ts` → `instrumentations/pg`; undefined outside capture. */
function capturePackage(file) {
  const parts = file.split('/');
  return parts[0] === 'instrumentations' ? parts.slice(0, 2).join('/') : undefined;
}

function violation(from, to) {
  const fromLayer = layerOf(from);
  const toLayer = layerOf(to);
  if (toLayer < 0) return undefined;
  if (toLayer > fromLayer) return `${LAYERS[fromLayer]} may not import ${LAYERS[toLayer]}`;
  const fromPackage = capturePackage(from);
  const toPackage = capturePackage(to);
  if (fromPackage && toPackage && fromPackage !== toPackage && toPackage !== SHARED_CAPTURE) {
    return `${fromPackage} may import no other capture package than ${SHARED_CAPTURE}`;
  }
  return undefined;
}

export function layerViolations() {
  const found = [];
  for (const file of LAYERS.flatMap(sourceFiles)) {
    for (const match of readFileSync(join(ROOT, file), 'utf8').matchAll(IMPORT)) {
      const target = posix.normalize(posix.join(posix.dirname(file), match[2]));
      const why = violation(file, target);
      if (why) found.push(`${file} imports ${match[2]}: ${why}`);
    }
  }
  return found;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const found = layerViolations();
  for (const line of found) console.error(line);
  console.log(found.length === 0 ? `layers: ${LAYERS.join(' < ')}: no import runs upward` : `layers: ${found.length} imports run upward`);
  process.exitCode = found.length === 0 ? 0 : 1;
}
