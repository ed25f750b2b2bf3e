// Memory growth over a flood of distinct statements (BENCH_DISTINCT_STATEMENTS,
// default 18,000), bare, under the upstream OpenTelemetry setup and under
// querylens, interleaved over rounds (BENCH_ROUNDS, default 3), each in a fresh
// process: RSS and heap after a full collection, before and after the flood.
// The growth is what the agent keeps per statement it has seen; its caps
// (statement cache, tracked fingerprints, metric series) should make it level off.
// BENCH_BASELINE_DIST=<dist> adds another build of the agent.
import { modesWithBaseline, runBenchScript } from './modes.mjs';
import { median, shuffledRounds } from './rounds.mjs';

const rounds = Number(process.env.BENCH_ROUNDS || 3);
const MODES = modesWithBaseline().filter((mode) => mode.name !== 'upstream (SDK defaults: traces to OTLP)');

const samples = new Map(MODES.map((mode) => [mode.name, []]));
for (const [index, order] of shuffledRounds(MODES, rounds, Number(process.env.BENCH_SEED || 1)).entries()) {
  for (const mode of order) {
    const { before, after } = runBenchScript(mode, 'statement-flood.cjs', 19664 + MODES.indexOf(mode), ['--expose-gc']);
    const sample = { rss: before.rssMiB, rssGrowth: after.rssMiB - before.rssMiB, heap: before.heapMiB, heapGrowth: after.heapMiB - before.heapMiB };
    samples.get(mode.name).push(sample);
    process.stderr.write(`round ${index + 1} ${mode.name}: rss ${sample.rss.toFixed(0)} MiB +${sample.rssGrowth.toFixed(1)}, heap ${sample.heap.toFixed(1)} MiB +${sample.heapGrowth.toFixed(1)}\n`);
  }
}

const rows = MODES.map((mode) => {
  const runs = samples.get(mode.name);
  const figure = (key) => Number(median(runs.map((run) => run[key])).toFixed(1));
  return { mode: mode.name, 'RSS MiB before': figure('rss'), 'RSS growth MiB': figure('rssGrowth'), 'heap MiB before': figure('heap'), 'heap growth MiB': figure('heapGrowth') };
});
console.log(`statement growth: ${rounds} interleaved rounds; medians; ${process.env.BENCH_DISTINCT_STATEMENTS || 18000} distinct statements (pool 8, concurrency 16), memory after a full GC`);
console.table(rows);
