// The index advisor's cost and what it does to the app, in one run against the
// local PostgreSQL (npm run build first):
//   node bench/index-advisor.mjs
// 1. Per advised statement: wall time and statements sent on the agent's own
//    connection for EXPLAIN alone, EXPLAIN + the advisor with HypoPG, and
//    EXPLAIN + the advisor from pg_stats (a database without HypoPG).
// 2. The app's throughput (primary-key lookups through its own pg.Pool) alone,
//    while EXPLAIN runs back to back, and while the advisor runs back to back:
//    interleaved rounds, shuffled per round, medians.
// It makes two databases of its own (ql_advisor_bench_*) and drops them.
// Not a timed test: figures depend on the machine and on what else runs on it.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pg = require('pg');
const { loadSqlParser } = require('../dist/sql/parse/parser.js');
const { createExplainRunner } = require('../dist/agentQueries/explainRunner.js');
const { DEFAULT_INDEX_ADVISOR } = require('../dist/agentQueries/indexAdvisor.js');

const BASE = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const ADVISED = Number(process.env.BENCH_ADVISED ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 4000);
const CONCURRENCY = 8;
const STATEMENTS = [
  ['SELECT id, total FROM orders WHERE customer_id = $1 ORDER BY total DESC LIMIT 3', [17]],
  ['SELECT id FROM orders WHERE region = $1 AND day = $2', [3, 42]],
  ['SELECT id, total FROM orders WHERE shipped_at IS NULL AND region = $1', [7]],
];

function urlFor(database) {
  const url = new URL(BASE.href);
  url.pathname = `/${database}`;
  return url.href;
}

async function onServer(statements) {
  const client = new pg.Client({ connectionString: BASE.href });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

async function createDatabase(name, hypopg) {
  await onServer([`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, `CREATE DATABASE ${name}`]);
  const client = new pg.Client({ connectionString: urlFor(name) });
  await client.connect();
  if (hypopg) await client.query('CREATE EXTENSION hypopg');
  await client.query(`CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL, region int NOT NULL, day int NOT NULL,
    total numeric NOT NULL, shipped_at timestamptz)`);
  await client.query(`INSERT INTO orders SELECT g, (random() ^ 3 * 20000)::int, g % 50, (g / 7) % 100, (g % 500) + 0.99,
    CASE WHEN g % 50 = 0 THEN NULL ELSE now() END FROM generate_series(1, ${ROWS}) g`);
  await client.query('ANALYZE orders');
  await client.end();
}

/** pg.Client counting the statements it sends. */
function countingClient(counter) {
  return class extends pg.Client {
    query(...args) {
      counter.statements += 1;
      return super.query(...args);
    }
  };
}

function runnerFor(database, advisor, counter) {
  return createExplainRunner({
    intervalMs: 1,
    timeoutMs: 5000,
    maxQueue: 4,
    connectionConfigFor: () => ({ connectionString: urlFor(database) }),
    clientClass: countingClient(counter),
    ...(advisor ? { advisor: DEFAULT_INDEX_ADVISOR } : {}),
  });
}

const server = { address: BASE.hostname, port: Number(BASE.port || 5432), database: '' };
let sequence = 0;

/** One request with a fresh fingerprint, so the runner's interval never skips it. */
function request(runner, index) {
  const [text, values] = STATEMENTS[index % STATEMENTS.length];
  sequence += 1;
  return runner.request({ fingerprint: `bench-${sequence}`, text, values, readOnly: true, statementCount: 1, server });
}

async function perStatement(name, database, advisor) {
  const counter = { statements: 0 };
  const runner = runnerFor(database, advisor, counter);
  await request(runner, 0);
  counter.statements = 0;
  let suggestions = 0;
  const best = new Map();
  const started = performance.now();
  for (let i = 0; i < ADVISED; i += 1) {
    const advice = (await request(runner, i))?.indexAdvice ?? [];
    if (advice.length > 0) suggestions += 1;
    if (advice[0] !== undefined) best.set(STATEMENTS[i % STATEMENTS.length][0], advice[0]);
  }
  const ms = (performance.now() - started) / ADVISED;
  await runner.close();
  for (const [text, advice] of best) {
    console.log(`  ${name}: ${text}\n    ${advice.ddl} cost ${advice.costBefore.toFixed(0)} -> ${advice.costAfter.toFixed(0)} (${advice.method})`);
  }
  return { name, msPerStatement: ms.toFixed(1), statementsSent: (counter.statements / ADVISED).toFixed(1), withSuggestion: `${suggestions}/${ADVISED}` };
}

/** The app: primary-key lookups at CONCURRENCY through its own pool, for ROUND_MS. */
async function appThroughput(pool) {
  let done = 0;
  const until = performance.now() + ROUND_MS;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < until) {
      await pool.query('SELECT id, total FROM orders WHERE id = $1', [1 + (done % ROWS)]);
      done += 1;
    }
  }));
  return done / (ROUND_MS / 1000);
}

/** Agent work while the app runs, back to back or `pauseMs` apart; resolves when stopped. */
function busyLoop(runner, pauseMs) {
  let stopped = false;
  const loop = (async () => {
    for (let i = 0; !stopped; i += 1) {
      await request(runner, i);
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function throughput(database) {
  const pool = new pg.Pool({ connectionString: urlFor(database), max: 4 });
  await appThroughput(pool);
  // [name, advisor on, pause between advised statements]; the agent's real rate is far lower:
  // one run per statement per QUERYLENS_EXPLAIN_INTERVAL_MS (5 minutes).
  const setups = [['app alone'], ['app + EXPLAIN back to back', false, 0], ['app + advisor (HypoPG) back to back', true, 0], ['app + advisor (HypoPG), one statement a second', true, 1000]];
  const modes = setups.map(([name]) => name);
  const results = Object.fromEntries(modes.map((mode) => [mode, []]));
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [mode, advisor, pauseMs] of [...setups].sort(() => Math.random() - 0.5)) {
      const runner = advisor === undefined ? undefined : runnerFor(database, advisor, { statements: 0 });
      const stop = runner === undefined ? async () => undefined : busyLoop(runner, pauseMs);
      results[mode].push(await appThroughput(pool));
      await stop();
      await runner?.close();
    }
  }
  await pool.end();
  const alone = median(results[modes[0]]);
  return modes.map((mode) => ({ mode, 'app q/s (median)': Math.round(median(results[mode])), 'vs alone': (median(results[mode]) / alone).toFixed(2) }));
}

async function main() {
  // The agent's connection is unref'd (it never keeps an app alive): this keeps the benchmark alive.
  const keepAlive = setInterval(() => undefined, 1000);
  await loadSqlParser();
  const withHypopg = `ql_advisor_bench_${process.pid}_h`;
  const plain = `ql_advisor_bench_${process.pid}_p`;
  try {
    await createDatabase(withHypopg, true);
    await createDatabase(plain, false);
    console.log(`index advisor, ${ROWS.toLocaleString('en-US')}-row table, ${ADVISED} statements each (3 shapes)`);
    console.table([
      await perStatement('EXPLAIN only', withHypopg, false),
      await perStatement('EXPLAIN + advisor (HypoPG)', withHypopg, true),
      await perStatement('EXPLAIN + advisor (pg_stats)', plain, true),
    ]);
    console.log(`app throughput, ${ROUNDS} rounds of ${ROUND_MS} ms, concurrency ${CONCURRENCY}, pool of 4`);
    console.table(await throughput(withHypopg));
  } finally {
    await onServer([`DROP DATABASE IF EXISTS ${withHypopg} WITH (FORCE)`, `DROP DATABASE IF EXISTS ${plain} WITH (FORCE)`]);
    clearInterval(keepAlive);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
