// Start-up benchmark: what an agent costs the app before and around its first
// statement, bare, under the upstream OpenTelemetry setup and under
// querylens, interleaved over rounds in one run (shuffled order per round),
// each a fresh process:
//   (a) ms from process start to the first pg statement's completion, in a
//       script that opens a pool and runs one statement (bench/startup-app.cjs);
//   (b) the main thread's longest event-loop stall in the first second once
//       the app runs, and how long the preloads held the main thread before
//       the app could begin (the agent's synchronous load);
//   (c) wall time of a process that exits at once (`node -e 0`).
// BENCH_BASELINE_DIST=<a build's dist directory> adds that build of the agent
// as one more mode, so two builds compare within one run.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_DIR, ROOT, modesWithBaseline } from './modes.mjs';
import { median, medianRatio, shuffledRounds } from './rounds.mjs';

const rounds = Number(process.env.BENCH_ROUNDS || 5);
const modes = modesWithBaseline();

function run(mode, port, args) {
  return execFileSync(process.execPath, [...mode.args, ...args], {
    cwd: ROOT,
    env: { ...process.env, OTEL_EXPORTER_PROMETHEUS_PORT: String(port), OTEL_SERVICE_NAME: 'querylens-bench', ...mode.env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function firstStatement(mode, port) {
  // The probe goes first: it notes when the agent's own preload begins.
  const output = run({ ...mode, args: ['--require', join(BENCH_DIR, 'startup-probe.cjs'), ...mode.args] }, port, [join(BENCH_DIR, 'startup-app.cjs')]);
  return JSON.parse(output.trim().split('\n').pop());
}

function exitAtOnceMs(mode, port) {
  const started = process.hrtime.bigint();
  run(mode, port, ['-e', '0']);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const samples = new Map(modes.map((mode) => [mode.name, []]));
for (const [index, order] of shuffledRounds(modes, rounds, Number(process.env.BENCH_SEED || 1)).entries()) {
  for (const mode of order) {
    const port = 19564 + modes.indexOf(mode);
    const result = { ...firstStatement(mode, port), exitMs: exitAtOnceMs(mode, port) };
    samples.get(mode.name).push(result);
    process.stderr.write(`round ${index + 1} ${mode.name}: preload ${result.preloadMs.toFixed(0)} ms, first statement ${result.firstStatementMs.toFixed(0)} ms, longest stall ${result.stallMs.toFixed(0)} ms, -e 0 ${result.exitMs.toFixed(0)} ms\n`);
  }
}

const bare = samples.get('bare');
const figure = (runs, key) => `${median(runs.map((run) => run[key])).toFixed(0)} (${medianRatio(runs, bare, key).toFixed(2)}×)`;
const rows = modes.map((mode) => {
  const runs = samples.get(mode.name);
  return {
    mode: mode.name,
    'first statement ms': figure(runs, 'firstStatementMs'),
    'longest stall ms': figure(runs, 'stallMs'),
    'preload ms': median(runs.map((run) => run.preloadMs)).toFixed(0),
    '-e 0 ms': figure(runs, 'exitMs'),
  };
});
console.log(`startup: ${rounds} interleaved rounds; medians, with the median of per-round ratios to bare in brackets; stalls are the longest event-loop delay in the first second once the app runs; preload is the time the preloads held the main thread before the app began`);
console.table(rows);
