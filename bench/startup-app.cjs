'use strict';
// The app of the start-up benchmark: opens a pool, runs one statement at
// once, then idles until one second after process start. Prints one JSON
// line: how long the preloads held the main thread before the app began,
// when the statement completed (ms since process start) and the longest
// event-loop stall once the app runs.
const { monitorEventLoopDelay } = require('node:perf_hooks');

const preloadMs = performance.now() - globalThis.startupProbeAt;
const { Pool } = require('pg');

const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const WATCH_MS = 1000;

const stalls = monitorEventLoopDelay({ resolution: 1 });
stalls.enable();

async function main() {
  const pool = new Pool({ connectionString: DATABASE_URL, max: 10 });
  await pool.query('select $1::int as n', [1]);
  const firstStatementMs = performance.now();
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, WATCH_MS - performance.now())));
  stalls.disable();
  await pool.end();
  process.stdout.write(`${JSON.stringify({ preloadMs, firstStatementMs, stallMs: stalls.max / 1e6 })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
