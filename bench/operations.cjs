'use strict';
// The operations every benchmark workload times: a pooled pg statement and a
// Redis GET, driven at a fixed concurrency. Shared by workload.cjs (wall-clock
// throughput) and instructions-phase.cjs (instructions under callgrind).
const { Pool } = require('pg');
const Redis = require('ioredis');

const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY || 32);
const REDIS_KEY = 'ql-bench:key';

/** Runs `op` `total` times, `CONCURRENCY` at once; returns operations per second. */
async function drive(total, op) {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < total) {
      next += 1;
      await op(next);
    }
  }));
  return total / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** A pg.Pool of 10 and a Redis client, with the operations the benchmarks time. */
async function openClients() {
  const pool = new Pool({ connectionString: DATABASE_URL, max: 10 });
  const redis = new Redis(REDIS_URL);
  await redis.set(REDIS_KEY, 'value');
  return {
    pgQuery: (i) => pool.query('select $1::int as v', [i]),
    redisGet: () => redis.get(REDIS_KEY),
    close: async () => {
      await pool.end();
      redis.disconnect();
    },
  };
}

module.exports = { drive, openClients };
