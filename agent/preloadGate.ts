/**
 * Whether this process gets the agent at all, decided before anything heavy
 * loads. `NODE_OPTIONS="--require querylens/register" npm start` preloads the
 * agent into npm first, and into every helper npm spawns: if they ran it, npm
 * would take the agent's port and the app (started after) would find it
 * taken. So package managers, launchers and the querylens CLI stay off
 * without a word, and the app they start gets the agent. A Node.js older than
 * the supported range stays off too, with one line saying so.
 *
 * This module imports only node:fs and node:path: it runs in every process
 * NODE_OPTIONS reaches, npm's included.
 */
import { realpathSync } from 'node:fs';
import { basename, join, sep } from 'node:path';

/** Oldest supported Node.js major (package.json `engines`); older ones are past end of life and untested. */
export const MIN_NODE_MAJOR = 22;

/**
 * Tools known to start the app rather than be it: the package managers and
 * their shims, native-addon builds, file watchers and script runners. Matched
 * against the main script's file name and against the package it lives in.
 */
export const LAUNCHERS: readonly string[] = [
  'npm', 'npx', 'yarn', 'yarnpkg', 'pnpm', 'pnpx', 'corepack', 'node-gyp',
  'nodemon', 'npm-run-all', 'run-p', 'run-s', 'concurrently', 'querylens',
];

/** npm's own entry files are `npm-cli.js` and `npx-cli.js`; Yarn 2+ ships `yarn-4.5.0.cjs`. */
function toolName(file: string): string {
  return basename(file).replace(/\.[cm]?js$/, '').replace(/-cli$/, '').replace(/-\d+(\.\d+)*$/, '');
}

/** The package a file lives in: `…/node_modules/npm/bin/npm-cli.js` → `npm`, `…/@yarnpkg/cli/…` → `@yarnpkg/cli`. */
function packageOf(file: string): string | undefined {
  const parts = file.split(sep);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at + 1 >= parts.length) return undefined;
  const name = parts[at + 1];
  return name.startsWith('@') && at + 2 < parts.length ? `${name}/${parts[at + 2]}` : name;
}

export interface MainScript {
  /** `process.argv[1]` as given (npm's is the `/usr/bin/npm` link). */
  readonly path: string | undefined;
  /** The same with links resolved (`…/node_modules/npm/bin/npm-cli.js`). */
  readonly realPath: string | undefined;
  /** This copy's own CLI entry (`dist/agent/cli/main.js`), which may live outside node_modules. */
  readonly ownCli: string;
}

export function isLauncherProcess(main: MainScript): boolean {
  const files = [main.path, main.realPath].filter((file): file is string => file !== undefined);
  if (files.includes(main.ownCli)) return true;
  return files.some((file) => {
    const owner = packageOf(file);
    return LAUNCHERS.includes(toolName(file)) || (owner !== undefined && (LAUNCHERS.includes(owner) || owner.startsWith('@yarnpkg/')));
  });
}

/** The line to print when this Node.js is too old, or undefined when it is supported. */
export function unsupportedNodeLine(nodeVersion: string): string | undefined {
  const major = Number(nodeVersion.split('.')[0]);
  if (major >= MIN_NODE_MAJOR) return undefined;
  return `querylens: Node.js ${nodeVersion} is older than the supported ${MIN_NODE_MAJOR}+; the agent is off for this process and the app runs without it`;
}

function realPathOf(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
}

function decide(): boolean {
  const main = process.argv[1];
  if (isLauncherProcess({ path: main, realPath: realPathOf(main), ownCli: join(__dirname, 'cli', 'main.js') })) return false;
  const unsupported = unsupportedNodeLine(process.versions.node);
  if (unsupported !== undefined) process.stderr.write(`${unsupported}\n`);
  return unsupported === undefined;
}

/** Decided once per process: `--require` and `--import` together ask twice and must print at most one line. */
let decision: boolean | undefined;

/** True when this process should start the agent; prints the one line an unsupported Node.js gets. */
export function agentWanted(): boolean {
  decision ??= decide();
  return decision;
}
