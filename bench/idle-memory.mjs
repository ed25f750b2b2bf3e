// Memory of an app at rest once every agent has finished starting: a pool,
// one statement, then BENCH_IDLE_MS idle (bench/idle-memory-app.cjs), bare,
// under the upstream OpenTelemetry setup and under querylens, interleaved
// over rounds, each a fresh process. Columns: RSS; the process's anonymous
// memory (Linux smaps_rollup: its own pages, not the files it maps); V8's
// heap (committed, every space); and anonymous memory outside that heap
// (malloc, compiled WebAssembly and its linear memory). No workload runs:
// V8's young generation is what start-up left it at, grown by the objects
// module loading keeps (bench/overhead.mjs measures memory under load).
// BENCH_BASELINE_DIST=<a build's dist directory> adds that build of the agent.
import { modesWithBaseline, runBenchScript } from './modes.mjs';
import { median, shuffledRounds } from './rounds.mjs';

const rounds = Number(process.env.BENCH_ROUNDS || 5);
const modes = modesWithBaseline();
const KEYS = ['rssMiB', 'anonymousMiB', 'heapMiB', 'outsideHeapMiB'];

const samples = new Map(modes.map((mode) => [mode.name, []]));
for (const [index, order] of shuffledRounds(modes, rounds, Number(process.env.BENCH_SEED || 1)).entries()) {
  for (const mode of order) {
    const result = runBenchScript(mode, 'idle-memory-app.cjs', 19564 + modes.indexOf(mode));
    samples.get(mode.name).push(result);
    process.stderr.write(`round ${index + 1} ${mode.name}: ${KEYS.map((key) => `${key} ${result[key].toFixed(1)}`).join(', ')}\n`);
  }
}

const bare = Object.fromEntries(KEYS.map((key) => [key, median(samples.get('bare').map((run) => run[key]))]));
const cell = (value, key) => `${value.toFixed(1)} (${value >= bare[key] ? '+' : ''}${(value - bare[key]).toFixed(1)})`;
const rows = modes.map((mode) => {
  const medians = Object.fromEntries(KEYS.map((key) => [key, median(samples.get(mode.name).map((run) => run[key]))]));
  return {
    mode: mode.name,
    'RSS MiB': cell(medians.rssMiB, 'rssMiB'),
    'anonymous MiB': cell(medians.anonymousMiB, 'anonymousMiB'),
    'V8 heap MiB': cell(medians.heapMiB, 'heapMiB'),
    'outside the heap MiB': cell(medians.outsideHeapMiB, 'outsideHeapMiB'),
  };
});
console.log(`idle memory: ${rounds} interleaved rounds; medians, the difference to bare in brackets; ${process.env.BENCH_IDLE_MS || 4000} ms idle after one statement`);
console.table(rows);
