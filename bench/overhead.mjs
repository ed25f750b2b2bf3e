// Overhead benchmark: the same pg and Redis workload run bare, under the
// upstream OpenTelemetry setup and under querylens, interleaved over several
// rounds in one run (in a shuffled order each round), each in a fresh
// process. Prints median throughput, its ratio to bare (the median of the
// per-round ratios), RSS and the size V8's young generation ended at.
// Timings on a shared 2-core machine are noisy: read the ratios, not the
// absolute numbers. BENCH_BASELINE_DIST=<dist> adds another build of the agent.
import { modesWithBaseline, runBenchScript } from './modes.mjs';
import { median, shuffledRounds, throughputColumns } from './rounds.mjs';

const rounds = Number(process.env.BENCH_ROUNDS || 5);
const MODES = modesWithBaseline();

const samples = new Map(MODES.map((mode) => [mode.name, []]));
for (const [index, order] of shuffledRounds(MODES, rounds, Number(process.env.BENCH_SEED || 1)).entries()) {
  const round = index + 1;
  for (const mode of order) {
    const result = runBenchScript(mode, 'workload.cjs', 19464 + MODES.indexOf(mode));
    samples.get(mode.name).push(result);
    process.stderr.write(`round ${round} ${mode.name}: pg ${result.pgPerSecond.toFixed(0)}/s, redis ${result.redisPerSecond.toFixed(0)}/s, rss ${result.rssMiB.toFixed(0)} MiB, young generation ${result.newSpaceMiB.toFixed(0)} MiB\n`);
  }
}

const bare = samples.get('bare');
const rows = MODES.map((mode) => {
  const runs = samples.get(mode.name);
  return {
    mode: mode.name,
    ...throughputColumns(runs, bare, 'pgPerSecond', 'pg q/s', 'pg vs bare'),
    ...throughputColumns(runs, bare, 'redisPerSecond', 'redis op/s', 'redis vs bare'),
    'rss MiB': Math.round(median(runs.map((r) => r.rssMiB))),
    'young gen MiB': Math.round(median(runs.map((r) => r.newSpaceMiB))),
  };
});
console.log(`overhead: ${rounds} interleaved rounds; throughput and RSS are medians, ratios the median of per-round ratios to bare; ${process.env.BENCH_PG_QUERIES || 20000} pg queries (pool 10, concurrency 32), ${process.env.BENCH_REDIS_COMMANDS || 100000} Redis GETs`);
console.table(rows);
