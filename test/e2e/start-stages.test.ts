/**
 * The agent's two-part start (agent/start.ts, agent/startStages.ts): capture
 * at preload, the rest in stages between the app's own work. A script that
 * exits at once never loads the later stages; the app's first statement
 * answers before any of them has run, and is still recorded, as is a Redis
 * connection error of the first moments; the agent's own files load a few
 * per turn of the event loop. An ES-module app's loader hook runs
 * in the app's own thread where Node.js allows it: no loader thread to start.
 */
import { isAscii } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, REGISTER_CJS, REGISTER_ESM, ROOT, freePort, lastJsonLine, runNode } from '../helpers/agentProcess';
import { parseSamples } from '../helpers/promText';
import { OWN_FILES_PER_STAGE } from '../../agent/stageModules';
import { MAX_IDLE_WAIT_MS } from '../../agent/startStages';

interface StagesRun {
  rows: { first_stage_n: number }[];
  answeredMs: number;
  loadedAtStart: string[];
  loadedAtAnswer: string[];
  top: { query: string; calls: number }[];
  metrics: string;
}

/** What the agent asks the same copy of import-in-the-middle (agent/esmLoaderHook.ts); false where that cannot even be asked. */
function inThreadHooksSupported(): boolean {
  try {
    const fromInstrumentation = createRequire(require.resolve('@opentelemetry/instrumentation'));
    return (fromInstrumentation('import-in-the-middle/supports-sync-hooks.mjs') as { supportsSyncHooks(): boolean }).supportsSyncHooks();
  } catch {
    return false;
  }
}

/** The largest number of the agent's own files first loaded in one turn of the event loop, an app holding its main thread `blockMs` at its first line. */
async function largestTurn(blockMs: number): Promise<{ count: number; files: string[]; total: number; loaded: string[]; packages: { count: number; files: string[]; total: number } }> {
  const run = await runNode(join(APPS, 'modules-per-turn.cjs'), {
    nodeArgs: ['--require', REGISTER_CJS],
    env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()), BLOCK_AT_START_MS: String(blockMs) },
    timeoutMs: 60_000,
  });
  expect(run.code, run.stderr).toBe(0);
  return lastJsonLine(run.stdout);
}

describe('the later start-up stages', () => {
  it('a script that exits at once loads capture and none of them', async () => {
    const listLoaded = "process.on('exit', () => process.stdout.write(JSON.stringify({ files: Object.keys(require.cache).map((file) => file.replace(/.*node_modules\\//, '').replace(/.*\\/dist\\//, 'dist/')), builtins: process.moduleLoadList.filter((entry) => entry.startsWith('NativeModule ')).map((entry) => entry.slice(13)) })))";
    const bare = await runNode('-e', { args: [listLoaded] });
    const run = await runNode('-e', { nodeArgs: ['--require', REGISTER_CJS], args: [listLoaded], env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) } });
    expect(run.code, run.stderr).toBe(0);
    const loaded = JSON.parse(run.stdout) as { files: string[]; builtins: string[] };
    expect(loaded.files).toContain('dist/instrumentations/pg/instrumentation.js');
    // Capture is the agent's own files alone: no OpenTelemetry API, no @opentelemetry/instrumentation and its hooks (about 20 ms of the start).
    expect(loaded.files.filter((file) => !file.startsWith('dist/'))).toEqual([]);
    const laterStages = /^(@opentelemetry\/(sdk-metrics|resources|core|exporter-prometheus|instrumentation-runtime-node)\/|libpg-query\/|dist\/(sql\/(analyzeStatement|ruleEngine|parse\/parser)|recording\/(queryRecorder|statementCache)|report\/buildReport|agentQueries\/explainRunner|http\/(server|agentRoutes|serverPort|portHeldHint)|agent\/(startServer|startupLine|agentMetrics|historySampler|moduleSlices|flushOnExit))\.js$)/;
    expect(loaded.files.filter((file) => laterStages.test(file))).toEqual([]);
    // The capture of a library the app has not loaded waits for it, as does the N+1 detector (configuration reads only its default).
    const untilRequired = /^dist\/(instrumentations\/(ioredis\/(patches|recorder|attributes|connectionHealth)|lru-cache\/instrumentedClass)|recording\/detectors\/nPlusOneDetector|sql\/catalogue\/runtimeRules)\.js$/;
    expect(loaded.files.filter((file) => untilRequired.test(file))).toEqual([]);
    // Built-in modules only the later stages use (the server's, the SQL engine's V8 flags), and those capture does without
    // (node:worker_threads, node:perf_hooks: core/threadRole.ts, core/monotonicClock.ts): not loaded unless bare Node.js loads them too.
    const bareBuiltins = new Set((JSON.parse(bare.stdout) as { builtins: string[] }).builtins);
    expect(['cluster', 'child_process', 'v8', 'http', 'worker_threads', 'perf_hooks'].filter((name) => loaded.builtins.includes(name) && !bareBuiltins.has(name))).toEqual([]);
  });

  it("reads the preload's files as one: each a module under its own path, the same one whoever requires it later", async () => {
    // After the preload: the agent's files compiled from disk, then each module in require.cache required again by its path.
    const report = `
      const dist = ${JSON.stringify(join(ROOT, 'dist'))};
      const own = (file) => file.startsWith(dist);
      const compiledAtPreload = globalThis.compiledFiles.filter(own);
      const cached = Object.keys(require.cache).filter(own);
      const modules = cached.map((file) => { const module = require.cache[file]; return { file, loaded: module.loaded, filename: module.filename === file, same: require(file) === module.exports }; });
      const compiledAgain = globalThis.compiledFiles.filter(own).length - compiledAtPreload.length;
      process.stdout.write(JSON.stringify({ compiledAtPreload: compiledAtPreload.map((file) => file.slice(dist.length + 1)), modules, compiledAgain }));`;
    const run = await runNode('-e', { nodeArgs: ['--require', join(APPS, 'compiled-files.cjs'), '--require', REGISTER_CJS], args: [report], env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) } });
    expect(run.code, run.stderr).toBe(0);
    const seen = JSON.parse(run.stdout) as { compiledAtPreload: string[]; modules: { file: string; loaded: boolean; filename: boolean; same: boolean }[]; compiledAgain: number };
    // From disk: the preload alone, which holds the code that runs the bundle (one by one, 65 files on 3f143bc; three on 61be7bf); the bundle compiles through vm.Script.
    expect(seen.compiledAtPreload).toEqual(['agent/register.js']);
    expect(seen.modules.length).toBeGreaterThan(50);
    expect(seen.modules.filter((module) => !module.loaded || !module.filename || !module.same)).toEqual([]);
    expect(seen.compiledAgain).toBe(0);
  });

  it("compiles the preload's one file from the code cache the build made, in a Node.js run as the build's was", async () => {
    const report = 'process.stdout.write(JSON.stringify(globalThis.scriptCompiles))';
    const run = await runNode('-e', { nodeArgs: ['--require', join(APPS, 'script-compiles.cjs'), '--require', REGISTER_CJS], args: [report], env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) } });
    expect(run.code, run.stderr).toBe(0);
    expect(lastJsonLine(run.stdout)).toEqual([{ filename: join(ROOT, 'dist', 'agent', 'register.bundle.js'), cachedDataRejected: false }]);
  });

  it("writes the preload's one file in ASCII, so that it decodes as a one-byte string (3.3 ms against 1.0 at preload here)", () => {
    const bundle = readFileSync(join(ROOT, 'dist', 'agent', 'register.bundle.js'));
    expect(isAscii(bundle)).toBe(true);
    // tsc's output has such characters (in comments and strings): the build escaped them, not their absence.
    expect(bundle.toString('latin1')).toMatch(/\\u2026/);
  });

  it('the first statement answers before any of them has run, and is recorded once they have', async () => {
    const run = await runNode(join(APPS, 'first-statement-stages.cjs'), {
      nodeArgs: ['--require', REGISTER_CJS],
      env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()), CLOSED_PORT: String(await freePort()) },
      timeoutMs: 60_000,
    });
    expect(run.code, run.stderr).toBe(0);
    const result = lastJsonLine<StagesRun>(run.stdout);
    expect(result.rows).toEqual([{ first_stage_n: 7 }]);
    expect(result.loadedAtStart).toEqual([]);
    expect(result.loadedAtAnswer, `answered ${result.answeredMs} ms after start`).toEqual([]);
    expect(result.top.map((statement) => [statement.query, statement.calls])).toEqual([['select $1::int as first_stage_n', 1]]);
    const samples = parseSamples(result.metrics);
    const duration = samples.find((sample) => sample.name === 'db_client_operation_duration_count' && sample.labels.db_system_name === 'postgresql');
    expect(duration?.value).toBe(1);
    // Counted on the held meter before the SDK loaded, then replayed onto it.
    const redisErrors = samples.filter((sample) => sample.name === 'querylens_redis_connection_errors_total').reduce((sum, sample) => sum + sample.value, 0);
    expect(redisErrors).toBeGreaterThanOrEqual(1);
  });

  it("loads the agent's own files a few per turn of the event loop, however many a stage's module requires", async () => {
    const largest = await largestTurn(0);
    // Loaded whole, the SQL rules' index alone brought 48 files in one turn.
    expect(largest.files.length, `the largest turn, ${largest.files.join(', ')}: a file missing from agent/stageModules.ts roots?`).toBeLessThanOrEqual(OWN_FILES_PER_STAGE);
    expect(largest.total).toBeGreaterThan(150);
    // Every stage has run and /healthz has answered: still no capture of the libraries this app does not load (ioredis, lru-cache).
    expect(largest.loaded.filter((file) => /^instrumentations\/(ioredis\/(patches|recorder)|lru-cache\/instrumentedClass)\.js$/.test(file))).toEqual([]);
  });

  it("loads the OpenTelemetry SDK's packages a file per turn, the API and @opentelemetry/instrumentation included", async () => {
    const { packages } = await largestTurn(0);
    // Unsliced, the API came whole with core's first file that required it (52 files in one turn on 43b9679).
    expect(packages.count, `the largest turn, ${packages.files.join(', ')}: a package missing from agent/stageModules.ts STAGE_PACKAGES?`).toBe(1);
    expect(packages.total).toBeGreaterThan(150);
  });

  it(`still a stage per turn when the app's start outlasts the ${MAX_IDLE_WAIT_MS} ms wait for idle moments`, async () => {
    // A stage run from its deadline timer was followed by the next in the same turn (16 files; 3 runs of 3 on 26eba87).
    const runs = await Promise.all([0, 1, 2].map(() => largestTurn(MAX_IDLE_WAIT_MS + 100)));
    for (const largest of runs) expect(largest.files.length, `the largest turn, ${largest.files.join(', ')}`).toBeLessThanOrEqual(OWN_FILES_PER_STAGE);
  });

  it('an idle app, its event loop asleep, still gets them: at once, and after a start that outlasted the wait', async () => {
    const run = (blockMs: number): Promise<{ serving: boolean }> => freePort().then(async (port) => {
      const result = await runNode(join(APPS, 'idle-start.cjs'), {
        nodeArgs: ['--require', REGISTER_CJS],
        env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(port), BLOCK_AT_START_MS: String(blockMs) },
        timeoutMs: 60_000,
      });
      expect(result.code, result.stderr).toBe(0);
      return lastJsonLine(result.stdout);
    });
    const [atOnce, afterWait] = await Promise.all([run(0), run(MAX_IDLE_WAIT_MS + 100)]);
    // With each stage run from an unref'd immediate, the loop slept through them: not serving after five idle seconds.
    expect(atOnce.serving).toBe(true);
    expect(afterWait.serving).toBe(true);
  });

  it.runIf(process.platform === 'linux' && inThreadHooksSupported()).each([
    ['--require', REGISTER_CJS],
    ['--import', REGISTER_ESM],
  ])('an ES-module app preloaded with %s gets its pg and pg-pool patched and no loader thread', async (flag, entry) => {
    const app = join(APPS, 'thread-count.mjs');
    const bare = await runNode(app);
    const agent = await runNode(app, { nodeArgs: [flag, entry], env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) } });
    expect(agent.code, agent.stderr).toBe(0);
    type Seen = { threads: number; patched: boolean; poolDepth: number; sameRequired: boolean };
    const without = lastJsonLine<Seen>(bare.stdout);
    const withAgent = lastJsonLine<Seen>(agent.stdout);
    expect([without.patched, withAgent.patched]).toEqual([false, true]);
    expect(withAgent.threads).toBe(without.threads);
    // An imported pg-pool is the agent's proxy once, and a require of it the same class (7321eba: not proxied, then proxied twice).
    expect([without.poolDepth, withAgent.poolDepth]).toEqual([1, 2]);
    expect([without.sameRequired, withAgent.sameRequired]).toEqual([true, true]);
    expect(agent.stderr).toBe('');
  });
});
