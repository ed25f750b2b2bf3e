'use strict';
// One run of the from-start benchmark: a fixed number of pg statements or
// Redis GETs (BENCH_FROM_START_OPERATION) begun as soon as the app starts,
// with no settling and no warm-up, so an agent's start-up work (its preload,
// its later start-up stages, the SQL parser's load, the JIT's warm-up of its
// code) counts. Prints one JSON line: operations per second from process
// start (performance.now() counts from the process's start, preloads
// included) to the last operation's completion.
const { drive, openClients } = require('./operations.cjs');

const OPERATION = process.env.BENCH_FROM_START_OPERATION || 'pg';
const COUNTS = { pg: Number(process.env.BENCH_FROM_START_PG || 40000), redis: Number(process.env.BENCH_FROM_START_REDIS || 200000) };

async function main() {
  const clients = await openClients();
  const op = OPERATION === 'redis' ? clients.redisGet : clients.pgQuery;
  await drive(COUNTS[OPERATION], op);
  const perSecondFromStart = COUNTS[OPERATION] / (performance.now() / 1000);
  await clients.close();
  process.stdout.write(`${JSON.stringify({ perSecondFromStart })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
