'use strict';
// One run of the distinct-statement flood: memory after a warm-up, then after
// BENCH_DISTINCT_STATEMENTS statements that are each a new statement to the
// agent (a new text and a new fingerprint), sent through a pg.Pool. Prints one
// JSON line. The mode (bare, upstream, querylens) is what the parent preloads.
// Run with --expose-gc: memory is read after a full collection, so the figure
// is what stays, not garbage that happens to be uncollected.
const { Pool } = require('pg');

const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const DISTINCT = Number(process.env.BENCH_DISTINCT_STATEMENTS || 18000);
const CONCURRENCY = 16;
// Long enough for an agent's background analysis of the flood to finish before the second reading.
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS || 3000);

async function sendAll(pool, count, textOf) {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) {
      const index = next;
      next += 1;
      await pool.query(textOf(index), [index]);
    }
  }));
}

async function settledMemory() {
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  global.gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rssMiB: rss / 1048576, heapMiB: heapUsed / 1048576 };
}

async function main() {
  const pool = new Pool({ connectionString: DATABASE_URL, max: 8 });
  // The same statement repeated: the agent's start-up and JIT warm-up happen before the first reading.
  await sendAll(pool, 5000, () => 'select $1::int as warm');
  const before = await settledMemory();
  // A distinct column alias per statement: a new text and a new fingerprint each time.
  await sendAll(pool, DISTINCT, (index) => `select $1::int as c${index}`);
  const after = await settledMemory();
  await pool.end();
  process.stdout.write(`${JSON.stringify({ before, after })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
