/**
 * A package's files in the order `require` would evaluate them (each after
 * the files it requires), so that a start stage can load them one per turn of
 * the event loop: the app then waits at most for its largest file, not for
 * the whole package (`@opentelemetry/core` and `sdk-metrics` take 25–75 ms
 * each here, their largest files a few).
 *
 * Only a file's literal top-level `require` calls of its own package's files
 * are followed (relative, or through the package's `imports`; top-level: on a
 * line that starts unindented, as compiled modules write them), so a file a
 * function requires when called is not loaded early; other packages
 * load when a file requires them, as they would. A package whose files
 * require each other in a cycle is loaded whole: starting a cycle from
 * another file than `require` would changes which file sees the other's
 * exports half made. Anything unexpected also loads it whole.
 *
 * Reading a package's files to plan its slices costs 1–9 ms a package here,
 * in one turn: the build plans them once (scripts/stage-modules.mjs), and a
 * plan is used when the installed package has the version it was made for.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';

/** A literal require of a file of the same package: relative, or through the package's own `imports` (`#platform`). */
const OWN_FILE_REQUIRE = /\brequire\(\s*(['"])(\.\.?\/[^'"]+|#[^'"]+)\1\s*\)/g;

/** Every literal require of a file of the same package, wherever it stands (a function's body may require one when called). */
export function ownFileRequires(source: string): string[] {
  return [...source.matchAll(OWN_FILE_REQUIRE)].map((match) => match[2]!);
}

function topLevelRequires(source: string): string[] {
  const specifiers: string[] = [];
  for (const match of source.matchAll(OWN_FILE_REQUIRE)) {
    const lineStart = source.lastIndexOf('\n', match.index) + 1;
    if (!/\s/.test(source.charAt(lineStart))) specifiers.push(match[2]!);
  }
  return specifiers;
}

/** More files than this is not a package to slice (or not one this reading understands). */
const MAX_FILES = 400;

/** The package's files, dependencies first, ending with its entry; undefined when it has a cycle or cannot be read. */
export function evaluationOrder(entry: string): string[] | undefined {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (file: string): boolean => {
    const seen = state.get(file);
    if (seen === 'done') return true;
    if (seen === 'visiting' || state.size >= MAX_FILES) return false;
    state.set(file, 'visiting');
    const requireFrom = createRequire(file);
    for (const specifier of topLevelRequires(readFileSync(file, 'utf8'))) {
      if (!visit(requireFrom.resolve(specifier))) return false;
    }
    state.set(file, 'done');
    order.push(file);
    return true;
  };
  try {
    return visit(entry) ? order : undefined;
  } catch {
    return undefined;
  }
}

/** A package's evaluation order worked out ahead: its files relative to the package's folder, for one version. */
export interface PackagePlan {
  readonly version: string;
  readonly files: readonly string[];
}

/** The folder (with its trailing separator) of the package `id` whose file `entry` is; undefined outside a node_modules folder. */
export function packageRootOf(entry: string, id: string): string | undefined {
  const folder = `${sep}node_modules${sep}${id.split('/').join(sep)}${sep}`;
  const at = entry.lastIndexOf(folder);
  return at < 0 ? undefined : entry.slice(0, at + folder.length);
}

function packageVersion(root: string): unknown {
  return (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version?: unknown }).version;
}

/** The plan's files, when it was made for the version installed and ends at the entry resolved; else undefined. */
function plannedOrder(entry: string, id: string, plan: PackagePlan | undefined): string[] | undefined {
  const root = plan === undefined ? undefined : packageRootOf(entry, id);
  if (plan === undefined || root === undefined) return undefined;
  // join: the plan's paths use `/`, the entry the platform's separator.
  const files = plan.files.map((file) => join(root, file));
  if (files[files.length - 1] !== entry) return undefined;
  try {
    return packageVersion(root) === plan.version ? files : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Requires `id` ahead of the stage that needs it; an `id` that is not there
 * is skipped (a list older than the files: that stage requires what it
 * needs itself). An error of the file itself is thrown.
 */
export function requireAhead(from: NodeJS.Require, id: string): void {
  let path: string;
  try {
    path = from.resolve(id);
  } catch {
    return;
  }
  from(path);
}

/** Stages that load the package `id` (resolved from `from`) a file at a time, or whole in one stage. */
export function loadingSlices(id: string, from: NodeJS.Require, plan?: PackagePlan): (() => void)[] {
  let entry: string;
  try {
    entry = from.resolve(id);
  } catch {
    return [() => { from(id); }];
  }
  const files = plannedOrder(entry, id, plan) ?? evaluationOrder(entry) ?? [];
  return [...files.slice(0, -1).map((file) => () => { requireAhead(from, file); }), () => { from(id); }];
}
