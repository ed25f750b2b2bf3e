// Throughput from process start: the pg and the Redis workload of
// bench/operations.cjs, each begun at once in a fresh process of its own, bare, under the
// upstream OpenTelemetry setup and under querylens, interleaved over rounds
// (shuffled order per round). Unlike bench/overhead.mjs there is no settling
// and no warm-up: the agent's preload, its start-up stages and the warm-up of
// its code all fall inside the measured run. Each run is long enough (about
// three seconds bare here) to span the agent's start-up stages. Prints the median
// throughput per mode and the median of per-round ratios to bare.
import { modesWithBaseline, runBenchScript } from './modes.mjs';
import { shuffledRounds, throughputColumns } from './rounds.mjs';

const rounds = Number(process.env.BENCH_ROUNDS || 5);
const MODES = modesWithBaseline();
const OPERATIONS = ['pg', 'redis'];

const samples = new Map(MODES.map((mode) => [mode.name, []]));
for (const [index, order] of shuffledRounds(MODES, rounds, Number(process.env.BENCH_SEED || 1)).entries()) {
  for (const mode of order) {
    const port = 19464 + MODES.indexOf(mode);
    const result = {};
    for (const operation of OPERATIONS) {
      const run = runBenchScript({ ...mode, env: { ...mode.env, BENCH_FROM_START_OPERATION: operation } }, 'from-start-workload.cjs', port);
      result[operation] = run.perSecondFromStart;
    }
    samples.get(mode.name).push(result);
    process.stderr.write(`round ${index + 1} ${mode.name}: pg ${result.pg.toFixed(0)}/s, redis ${result.redis.toFixed(0)}/s from start\n`);
  }
}

const bare = samples.get('bare');
const rows = MODES.map((mode) => {
  const runs = samples.get(mode.name);
  return {
    mode: mode.name,
    ...throughputColumns(runs, bare, 'pg', 'pg q/s from start', 'pg vs bare'),
    ...throughputColumns(runs, bare, 'redis', 'redis op/s from start', 'redis vs bare'),
  };
});
console.log(`from start: ${rounds} interleaved rounds; ${process.env.BENCH_FROM_START_PG || 40000} pg queries and ${process.env.BENCH_FROM_START_REDIS || 200000} Redis GETs (concurrency 32), each in a fresh process timed from its start; medians, ratios the median of per-round ratios to bare`);
console.table(rows);
