'use strict';
// One benchmark run: a fixed pg workload and a fixed Redis workload, timed
// after a warm-up. Prints one JSON line. The mode (bare, upstream, querylens)
// is chosen by what the parent preloads, not here.
const { getHeapSpaceStatistics } = require('node:v8');
const { drive, openClients } = require('./operations.cjs');

const PG_QUERIES = Number(process.env.BENCH_PG_QUERIES || 20000);
// A Redis GET costs a fraction of a pg query: 100k keep the measured phase past JIT warm-up noise.
const REDIS_COMMANDS = Number(process.env.BENCH_REDIS_COMMANDS || 100000);
// Every mode waits the same before measuring: an agent's start-up work (module
// compilation, the SQL parser's WebAssembly) belongs to start-up, not to the
// steady state this benchmark compares.
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS || 1500);
// Warm-up long enough for V8 to have optimised the pg path, bare and with an
// agent: in 10,000-statement windows from the start, querylens reached its
// steady rate only in the fourth (bench/README.md); bench/from-start.mjs counts that warm-up.
const WARM_UP = Number(process.env.BENCH_WARM_UP || 40000);

async function main() {
  const clients = await openClients();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  await drive(WARM_UP, clients.pgQuery);
  await drive(WARM_UP, clients.redisGet);
  const pgPerSecond = await drive(PG_QUERIES, clients.pgQuery);
  const redisPerSecond = await drive(REDIS_COMMANDS, clients.redisGet);
  const rssMiB = process.memoryUsage().rss / 1048576;
  // V8 sizes its young generation by how many bytes survive its collections,
  // in steps that double it: one step more or less moves RSS by tens of MiB
  // (bench/README.md), so the run reports the size it ended with.
  const newSpaceMiB = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size / 1048576;
  await clients.close();
  process.stdout.write(`${JSON.stringify({ pgPerSecond, redisPerSecond, rssMiB, newSpaceMiB })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
