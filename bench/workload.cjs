'use strict';
// One benchmark run: a fixed pg workload and a fixed Redis workload, timed
// after a warm-up. Prints one JSON line. The mode (bare, upstream, querylens)
// is chosen by what the parent preloads, not here.
const { Pool } = require('pg');
const Redis = require('ioredis');

const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const PG_QUERIES = Number(process.env.BENCH_PG_QUERIES || 20000);
// A Redis GET costs a fraction of a pg query: 100k keep the measured phase past JIT warm-up noise.
const REDIS_COMMANDS = Number(process.env.BENCH_REDIS_COMMANDS || 100000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY || 32);
// Every mode waits the same before measuring: an agent's start-up work (module
// compilation, the SQL parser's WebAssembly) belongs to start-up, not to the
// steady state this benchmark compares.
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS || 1500);
const WARM_UP = Number(process.env.BENCH_WARM_UP || 5000);

async function drive(total, concurrency, op) {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      next += 1;
      await op(next);
    }
  }));
  return total / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function main() {
  const pool = new Pool({ connectionString: DATABASE_URL, max: 10 });
  const redis = new Redis(REDIS_URL);
  await redis.set('ql-bench:key', 'value');
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  await drive(WARM_UP, CONCURRENCY, (i) => pool.query('select $1::int as v', [i]));
  await drive(WARM_UP, CONCURRENCY, () => redis.get('ql-bench:key'));
  const pgPerSecond = await drive(PG_QUERIES, CONCURRENCY, (i) => pool.query('select $1::int as v', [i]));
  const redisPerSecond = await drive(REDIS_COMMANDS, CONCURRENCY, () => redis.get('ql-bench:key'));
  const rssMiB = process.memoryUsage().rss / 1048576;
  await pool.end();
  redis.disconnect();
  process.stdout.write(`${JSON.stringify({ pgPerSecond, redisPerSecond, rssMiB })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
