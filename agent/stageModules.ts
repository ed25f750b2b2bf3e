/**
 * What the later start-up stages load ahead of the stage that uses it, a few
 * files per stage: the agent's own modules (required whole, `sql/rules/index` alone
 * brings 48 files, 6–11 ms of the app's main thread in one turn, while its
 * largest file takes well under a millisecond), and the SDK's packages a file
 * per stage (moduleSlices.ts).
 *
 * The file lists are worked out at build time (scripts/stage-modules.mjs
 * writes stageModules.json next to this file: each group's files in the
 * order `require` would evaluate them, those of earlier groups and of the
 * preload left out; each package's files with its version), so the running
 * agent reads no source to plan its slices. A listed file that is not there
 * (a `tsc` alone after a rename) is skipped. Where the list is missing (the
 * sources run without a build), each group loads root by root and a package
 * is planned when it loads.
 */
import { createRequire } from 'node:module';
import type { PackagePlan } from './moduleSlices';

/** Each group's roots, in order; a file is loaded in the first group whose roots reach it. */
export const STAGE_MODULE_ROOTS = {
  // moduleSlices first: every loading stage uses it.
  sqlEngine: ['./moduleSlices', '../sql/parse/parser', '../sql/rules/index', '../sql/analyzeStatement', '../recording/statementCache', '../sql/catalogue/ruleCatalogue', './startAnalysis'],
  telemetry: ['./sdk', './agentMetrics'],
  recording: ['../recording/queryRecorder', '../report/buildReport', '../agentQueries/explainRunner', './startRecording', './historySampler'],
  server: ['../http/agentRoutes', '../http/serverPort', './startServer'],
} as const;

export type StageModuleGroup = keyof typeof STAGE_MODULE_ROOTS;

/** The SDK's packages loaded a file per stage, in order (the Prometheus exporter only when metrics are pulled). */
export const STAGE_PACKAGES = [
  // The API and semantic-conventions first: core requires each whole from one of its files
  // (the API from trace/suppress-tracing, 15 ms here; semantic-conventions 13), sliced each takes a few at most.
  '@opentelemetry/api',
  '@opentelemetry/semantic-conventions',
  '@opentelemetry/core',
  '@opentelemetry/resources',
  '@opentelemetry/sdk-metrics',
  '@opentelemetry/exporter-prometheus',
  // Before the runtime instrumentation, which requires it whole from its first file (12 ms here).
  '@opentelemetry/instrumentation',
  '@opentelemetry/instrumentation-runtime-node',
] as const;

export type StagePackage = (typeof STAGE_PACKAGES)[number];

/**
 * The package that requires each of these whole, from a file of its own,
 * besides the agent's own files (agent/sdk.ts). An install may hold two
 * copies, that package's and one next to the agent: each would load whole
 * in the stage that first requires it, so each is loaded a file at a time.
 */
const REQUIRED_BY: Partial<Record<StagePackage, StagePackage>> = {
  '@opentelemetry/api': '@opentelemetry/core',
  '@opentelemetry/instrumentation': '@opentelemetry/instrumentation-runtime-node',
};

/**
 * A `require` per copy of `id` the stages will load, in the order they
 * load them: the requiring package's (REQUIRED_BY) first, then the agent's
 * own; one where both resolve the same file, or where that package is not
 * there or cannot resolve `id`.
 */
export function stagePackageCopies(id: StagePackage, agentRequire: NodeJS.Require): NodeJS.Require[] {
  const by = REQUIRED_BY[id];
  if (by === undefined) return [agentRequire];
  try {
    const theirs = createRequire(agentRequire.resolve(by));
    return theirs.resolve(id) === agentRequire.resolve(id) ? [agentRequire] : [theirs, agentRequire];
  } catch {
    return [agentRequire];
  }
}

/** What the build writes: per group, files relative to this module's folder; per package, its plan. */
export type StageModuleFiles = Record<StageModuleGroup, readonly string[]> & { readonly packages: Readonly<Record<string, PackagePlan>> };

/**
 * The modules whose graph the preload loads: none of theirs is listed again,
 * and the build puts all of them in the preload's one file
 * (scripts/preload-bundle.mjs). The loader hook is an ES-module app's only.
 */
export const PRELOAD_ROOTS = ['./register', './start', './mainFormat', './esmLoaderHook'] as const;

export const STAGE_MODULES_FILE = 'stageModules.json';

function builtList(): Partial<StageModuleFiles> {
  try {
    return require(`./${STAGE_MODULES_FILE}`) as StageModuleFiles;
  } catch {
    return {};
  }
}

/**
 * How many of the agent's own files one stage loads (1–2 ms here). One file
 * a stage would hold the app least, but every stage waits for a moment the
 * app is idle: under the demo's steady traffic, 150 more stages held the SQL
 * engine back long enough that the query cache still answered its reads
 * unanalysed, from the database, when the first writes came.
 */
export const OWN_FILES_PER_STAGE = 8;

/** The ids to require for `group`, a batch per stage: the built list, else the group's roots one by one. */
export function stageModuleBatches(group: StageModuleGroup): readonly (readonly string[])[] {
  const built = builtList()[group];
  if (built === undefined) return STAGE_MODULE_ROOTS[group].map((root) => [root]);
  const batches: string[][] = [];
  for (let at = 0; at < built.length; at += OWN_FILES_PER_STAGE) batches.push(built.slice(at, at + OWN_FILES_PER_STAGE));
  return batches;
}

/** The build's plan of a package's slices, if it made one. */
export function stagePackagePlan(id: string): PackagePlan | undefined {
  return builtList().packages?.[id];
}
