// The query cache (`cache.query`) side by side, in one process with the
// agent preloaded (the script re-runs itself under `--require` otherwise):
//
// 1. Reads of one row by primary key: the bare `pool.query`, `cache.query`
//    answering from memory, and the hand-tagged tiered cache (`cache.get`
//    with a loader and tags written by hand) answering from memory.
// 2. The write hook: throughput of single-row UPDATEs while no cache listens
//    for writes and while one does (each write then drops a table tag in
//    memory and in Redis and publishes it), in alternating rounds; the CPU
//    time this process spends per write on each side, in the same rounds
//    (the whole path in the app: the hook, the memory invalidation, the Redis
//    rounds it starts and their replies; CPU time, unlike throughput, does not
//    move with the database's WAL flushes or with other work's wall time) and
//    the Redis commands the invalidation sends per write;
//    and, measured alone over many repetitions (so the machine's noise
//    averages out where the whole path's cannot), the hook's own synchronous
//    time per write and this process's CPU time per invalidation round, at
//    the pace of a stream of writes: their sum per write is the hook's cost.
//
//   npm run build && node bench/query-cache.mjs
//
// A benchmark, not a test: numbers depend on the machine and what else runs on it.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { median, shuffledRounds } from './rounds.mjs';
import { ROOT } from './modes.mjs';

const require = createRequire(import.meta.url);
const dist = join(ROOT, 'dist');
if (globalThis[Symbol.for('querylens.agent')] === undefined) {
  const run = spawnSync(process.execPath, ['--require', join(dist, 'agent', 'register.js'), ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { OTEL_EXPORTER_PROMETHEUS_PORT: '0', QUERYLENS_STARTUP_LOG: 'off', ...process.env },
  });
  process.exit(run.status ?? 1);
}

const { Pool } = require('pg');
const { Redis } = require('ioredis');
const { createTieredCache } = require(join(dist, 'cache', 'index.js'));
const { lookupStatement } = require(join(dist, 'core', 'statementLookup.js'));
const { noteStatementWrites } = require(join(dist, 'instrumentations', 'pg', 'committedWrites.js'));
const { ROUND_INTERVAL_MS } = require(join(dist, 'cache', 'invalidationRounds.js'));

const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const READS = Number(process.env.BENCH_READS ?? 20_000);
const WRITES = Number(process.env.BENCH_WRITES ?? 3_000);
const CONCURRENCY = 8;
const ROWS = 1000;
const TABLE = `qcbench_${process.pid}`;

async function drive(total, op) {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < total) {
      next += 1;
      await op(next);
    }
  }));
  return total / ((performance.now() - started) / 1000);
}

const pool = new Pool({ connectionString: DATABASE_URL, max: CONCURRENCY });
const redis = new Redis(REDIS_URL);
// Commands the caches send on this client (their invalidation rounds), counted per write round below.
let redisCommands = 0;
const sendCommand = redis.sendCommand.bind(redis);
redis.sendCommand = (...args) => {
  redisCommands += 1;
  return sendCommand(...args);
};
await pool.query(`CREATE TABLE ${TABLE} (id int PRIMARY KEY, n int NOT NULL DEFAULT 0, label text)`);
await pool.query(`INSERT INTO ${TABLE} (id, label) SELECT g, 'row ' || g FROM generate_series(1, ${ROWS}) g`);
const READ = `SELECT id, n, label FROM ${TABLE} WHERE id = $1`;
const WRITE = `UPDATE ${TABLE} SET n = n + 1 WHERE id = $1`;
while (lookupStatement('SELECT 1') === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
// The analysis budget defers new texts for a moment after start-up; the cases need them analysed.
while (lookupStatement(READ)?.parsed !== true || lookupStatement(WRITE)?.parsed !== true) await new Promise((resolve) => setTimeout(resolve, 50));

const id = (i) => (i % ROWS) + 1;
const cacheOptions = { redis, memory: { max: ROWS * 2 }, ttlMs: 600_000, jitter: 0 };
const queries = createTieredCache({ name: `qcbench-query-${process.pid}`, ...cacheOptions });
const tagged = createTieredCache({ name: `qcbench-tagged-${process.pid}`, ...cacheOptions });
const handTagged = (i) => tagged.get(`row:${id(i)}`, () => pool.query(READ, [id(i)]).then((r) => r.rows), { tags: [TABLE] });

const readCases = {
  'bare pool.query': (i) => pool.query(READ, [id(i)]),
  'cache.query (memory hit)': (i) => queries.query(pool, READ, [id(i)]),
  'hand-tagged cache.get (memory hit)': handTagged,
};
for (let i = 0; i < ROWS; i += 1) {
  await readCases['cache.query (memory hit)'](i);
  await handTagged(i);
}
const readSamples = Object.fromEntries(Object.keys(readCases).map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, op] of Object.entries(readCases)) readSamples[name].push(await drive(READS, op));
}
await queries.close();

// Writes: with no listener the hook checks one set's size; with one, it reads the transaction status and invalidates.
const writeOnce = (i) => pool.query(WRITE, [id(i)]);
await drive(WRITES, writeOnce);
const without = [];
const withListener = [];
const cpuWithout = [];
const cpuWithListener = [];
const commandsWithListener = [];
/** This process's CPU time (user and system, all threads) since `before`, in µs. */
const cpuSince = (before) => {
  const spent = process.cpuUsage(before);
  return spent.user + spent.system;
};
/** Throughput of one round, this process's CPU time per write (user and system, all threads) in µs, and Redis commands per write. */
async function writeRound(rates, cpu, commands) {
  const before = process.cpuUsage();
  const commandsBefore = redisCommands;
  rates.push(await drive(WRITES, writeOnce));
  cpu.push(cpuSince(before) / WRITES);
  commands?.push((redisCommands - commandsBefore) / WRITES);
}
// Shuffled order per round: the table's dead rows and the machine drift over a run, and a fixed order would charge that to one side.
for (const order of shuffledRounds(['without', 'with'], ROUNDS, Number(process.env.BENCH_SEED ?? 1))) {
  for (const side of order) {
    if (side === 'without') {
      await writeRound(without, cpuWithout);
      continue;
    }
    const listening = createTieredCache({ name: `qcbench-writes-${process.pid}`, ...cacheOptions });
    await listening.query(pool, READ, [1]);
    await writeRound(withListener, cpuWithListener, commandsWithListener);
    await listening.close();
  }
}

// The hook alone, synchronously: a committed single-table write announced to one listening cache.
const hookCache = createTieredCache({ name: `qcbench-hook-${process.pid}`, memory: { max: 10 }, ttlMs: 600_000 });
await hookCache.query(pool, READ, [1]);
const idleClient = { getTransactionStatus: () => 'I' };
const writes = lookupStatement(WRITE).writes;
const HOOK_CALLS = 200_000;
const hookStarted = performance.now();
for (let i = 0; i < HOOK_CALLS; i += 1) noteStatementWrites(idleClient, writes, false, { command: 'UPDATE' });
const hookUs = ((performance.now() - hookStarted) * 1000) / HOOK_CALLS;
await hookCache.close();

// One invalidation round (a tag removed from Redis and published; this cache's own subscriber hears it), two ways.
// Back to back, as in a process kept busy by writes: its code stays hot and its replies share the event loop's wake-ups.
// Spaced by ROUND_INTERVAL_MS, as in a mostly idle process: each reply wakes the loop, the code runs cold; less the CPU
// of as long a time without rounds.
const roundCache = createTieredCache({ name: `qcbench-round-${process.pid}`, ...cacheOptions });
await roundCache.get('warm', async () => 1, { tags: ['round'] });
const BACK_TO_BACK_ROUNDS = 2_000;
const SPACED_ROUNDS = 40;
const roundCpu = { backToBack: [], spaced: [] };
for (let repeat = 0; repeat < 5; repeat += 1) {
  const hot = process.cpuUsage();
  for (let i = 0; i < BACK_TO_BACK_ROUNDS; i += 1) await roundCache.invalidateTag('round');
  roundCpu.backToBack.push(cpuSince(hot) / BACK_TO_BACK_ROUNDS);
  const quiet = process.cpuUsage();
  await sleep(SPACED_ROUNDS * ROUND_INTERVAL_MS);
  const quietCpu = cpuSince(quiet);
  const cold = process.cpuUsage();
  for (let i = 0; i < SPACED_ROUNDS; i += 1) {
    await roundCache.invalidateTag('round');
    await sleep(ROUND_INTERVAL_MS);
  }
  roundCpu.spaced.push((cpuSince(cold) - quietCpu) / SPACED_ROUNDS);
}
await roundCache.close();

await pool.query(`DROP TABLE ${TABLE}`);
await pool.end();
await redis.quit();

const readResults = Object.entries(readSamples).map(([name, samples]) => ({ case: name, ops_per_s: Math.round(median(samples)) }));
const bareReads = readResults[0].ops_per_s;
console.table(readResults.map((row) => ({ ...row, vs_bare: +(row.ops_per_s / bareReads).toFixed(2) })));
const ratios = withListener.map((rate, round) => rate / without[round]);
const writeUs = 1e6 / median(without) * CONCURRENCY;
const summary = {
  writes_per_s_without_listener: Math.round(median(without)),
  writes_per_s_with_listener: Math.round(median(withListener)),
  throughput_ratio_median: +median(ratios).toFixed(4),
  hook_sync_us_per_write: +hookUs.toFixed(2),
  write_latency_us: Math.round(writeUs),
  hook_share_of_a_write: `${((hookUs / writeUs) * 100).toFixed(3)} %`,
};
console.table([summary]);
// Per round, the listening side's CPU per write less the same round's bare side: the drift of the machine between rounds cancels.
const addedCpu = cpuWithListener.map((cpu, round) => cpu - cpuWithout[round]);
const bareCpu = median(cpuWithout);
const wholePath = {
  cpu_us_per_write_without_listener: +bareCpu.toFixed(1),
  cpu_us_per_write_with_listener: +median(cpuWithListener).toFixed(1),
  added_cpu_us_per_write_median: +median(addedCpu).toFixed(1),
  added_cpu_us_per_write_range: `${Math.min(...addedCpu).toFixed(1)} to ${Math.max(...addedCpu).toFixed(1)}`,
  redis_commands_per_write: +median(commandsWithListener).toFixed(3),
  // What the added CPU takes from pg throughput where the app's CPU is what limits it (a saturated event loop)…
  share_of_app_cpu_per_write: `${((median(addedCpu) / bareCpu) * 100).toFixed(2)} %`,
  // …and, at this concurrency, of the time each write holds its connection (the database limits throughput here).
  share_of_write_latency: `${((median(addedCpu) / writeUs) * 100).toFixed(3)} %`,
};
console.table([wholePath]);
// The hook's cost per write from its parts, in the two regimes that bound pg throughput.
const hotRoundUs = median(roundCpu.backToBack);
const coldRoundUs = median(roundCpu.spaced);
const roundsPerWrite = median(commandsWithListener);
const dbBoundUs = hookUs + roundsPerWrite * coldRoundUs;
const parts = {
  round_cpu_us_back_to_back: +hotRoundUs.toFixed(1),
  round_cpu_us_spaced: +coldRoundUs.toFixed(1),
  rounds_per_write: +roundsPerWrite.toFixed(4),
  // The database the limit (as here): the hook and its share of the rounds (cold) against the time a write holds its connection.
  db_bound_us_per_write: +dbBoundUs.toFixed(2),
  db_bound_share: `${((dbBoundUs / writeUs) * 100).toFixed(3)} %`,
  // The app's CPU the limit: writes come as fast as one core runs them, rounds as often as the interval lets (and stay hot).
  cpu_bound_share: `${((hookUs / bareCpu + (hotRoundUs * 1000) / ROUND_INTERVAL_MS / 1e6) * 100).toFixed(2)} %`,
};
console.table([parts]);
console.log(JSON.stringify({ node: process.version, rounds: ROUNDS, reads: readResults, writes: summary, wholePath, parts,
  raw: { without, withListener, cpuWithout, cpuWithListener, commandsWithListener, roundCpu } }));
