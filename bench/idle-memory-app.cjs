'use strict';
// The app of the idle-memory benchmark: opens a pool, runs one statement,
// then idles BENCH_IDLE_MS (every start-up stage of an agent has run by then,
// the SQL parser compiled) and prints one JSON line with its memory.
const { readFileSync } = require('node:fs');
const { Pool } = require('pg');

const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const IDLE_MS = Number(process.env.BENCH_IDLE_MS || 4000);
const MiB = 1048576;

/** Anonymous memory (the process's own, not files it maps) in MiB, from Linux's smaps_rollup. */
function anonymousMiB() {
  const line = /^Anonymous:\s+(\d+) kB/m.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'));
  return line ? Number(line[1]) / 1024 : NaN;
}

async function main() {
  const pool = new Pool({ connectionString: DATABASE_URL, max: 2 });
  await pool.query('select $1::int as n', [1]);
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const { rss, heapTotal } = process.memoryUsage();
  const anonymous = anonymousMiB();
  await pool.end();
  process.stdout.write(`${JSON.stringify({ rssMiB: rss / MiB, anonymousMiB: anonymous, heapMiB: heapTotal / MiB, outsideHeapMiB: anonymous - heapTotal / MiB })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
