'use strict';
// One callgrind run of one operation (BENCH_OPERATION=pg|redis|pool): warm up, zero
// callgrind's counters, run BENCH_OPERATIONS operations, dump the counters.
// The dump then holds the measured phase alone, not start-up or shutdown.
// Run by instructions.mjs under `valgrind --tool=callgrind`.
const { execFile } = require('node:child_process');
const { drive, openClients } = require('./operations.cjs');
const { openInMemoryPool } = require('./in-memory-pg-client.cjs');

// pool: pg-pool's `pool.query` over in-memory clients (no server): the pool subclass's cost alone.
const OPERATION = { pg: 'pgQuery', redis: 'redisGet', pool: 'poolQuery' }[process.env.BENCH_OPERATION || 'pg'];
const OPERATIONS = Number(process.env.BENCH_OPERATIONS || 4000);
const WARM_UP = Number(process.env.BENCH_WARM_UP || 2000);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS || 3000);

function callgrindControl(flag) {
  return new Promise((resolve, reject) => {
    execFile('callgrind_control', [flag, String(process.pid)], (error) => (error ? reject(error) : resolve()));
  });
}

/** The agent loads its SQL parser in the background, slowly under valgrind: measure after it. */
async function agentReady(port) {
  for (;;) {
    // A body cut short (the server is slow under valgrind) is a "not yet", like a refused connection.
    const health = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.json()).catch(() => undefined);
    if (health && health.sqlParserReady) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main() {
  const clients = OPERATION === 'poolQuery' ? openInMemoryPool() : await openClients();
  if (process.env.BENCH_AGENT_PORT) await agentReady(process.env.BENCH_AGENT_PORT);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  await drive(WARM_UP, clients[OPERATION]);
  await callgrindControl('--zero');
  await drive(OPERATIONS, clients[OPERATION]);
  await callgrindControl('--dump');
  await clients.close();
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
