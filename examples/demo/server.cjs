'use strict';
// The querylens demo: a small orders service on pg + ioredis, with a built-in
// traffic generator so every metric has data within a minute. Some routes are
// deliberately bad (an N+1 loop, SELECT *, a leading-wildcard search, a slow
// scan) so the SQL intelligence has something to say.
//
// `npm run demo` starts it through run.cjs, which finds PostgreSQL and Redis (or
// starts an embedded PostgreSQL, or leaves Redis out) and preloads the agent.
// REDIS_URL empty: the customer cache is memory only.

const http = require('node:http');
const { Pool } = require('pg');
const Redis = require('ioredis');
const { LRUCache } = require('lru-cache');
const { nameCache } = require('querylens');
const { createTieredCache } = require('querylens/cache');

const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PORT = Number(process.env.DEMO_PORT || 3000);
const METRICS_PORT = Number(process.env.OTEL_EXPORTER_PROMETHEUS_PORT || 9464);
const TRAFFIC = process.env.DEMO_TRAFFIC !== 'off';
const ORDERS = Number(process.env.DEMO_ORDERS || 200000);

const pool = new Pool({ connectionString: DATABASE_URL, max: 5, connectionTimeoutMillis: 2000 });
const reporting = new Pool({ connectionString: DATABASE_URL, application_name: 'demo-reporting', max: 2 });
// A restart of PostgreSQL ends the idle connections, which pg reports on the pool: without a
// listener that error would end the demo. The next query opens a new connection.
for (const each of [pool, reporting]) each.on('error', () => { /* the restart the grace period covers */ });
const redis = REDIS_URL === '' ? undefined : new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
redis?.on('error', () => { /* counted by the agent; the demo keeps serving from PostgreSQL */ });
// Memory first, then Redis (when there is one), then PostgreSQL. Memory keeps
// an entry 5 s and Redis 60 s: the traffic asks for each customer every few
// seconds, so both layers serve hits (with one TTL for both, memory would
// always expire with Redis and Redis would never serve one).
const MEMORY_TTL_MS = 5_000;
const CACHE_TTL_MS = 60_000;
const customers = createTieredCache({ name: 'demo-customers', redis, memory: { max: 200, ttlMs: MEMORY_TTL_MS }, ttlMs: CACHE_TTL_MS });
// Query results cached by cache.query: tagged with the tables they read, dropped when the demo
// writes them (/rename), and served stale for up to 10 minutes while PostgreSQL is down or
// restarting. Their TTL is short (3 s) so that even a restart of a second or two finds expired
// entries, whose reload fails and which the grace period answers (marked stale).
const EMAIL_TTL_MS = 3_000;
const EMAIL_GRACE_MS = 600_000;
const emails = createTieredCache({ name: 'demo-customer-emails', redis, memory: { max: 200 }, ttlMs: EMAIL_TTL_MS, graceMs: EMAIL_GRACE_MS, hardTimeoutMs: 2_000 });
// Search results, in-process only.
const searches = nameCache(new LRUCache({ max: 20, ttl: 60_000 }), 'demo-search');

/**
 * HypoPG lets the agent's index advisor verify its suggestions with hypothetical
 * indexes; without it they are estimates from pg_stats. DEMO_HYPOPG=off leaves it out.
 */
async function hypopgLine() {
  if (process.env.DEMO_HYPOPG === 'off') return 'not used (DEMO_HYPOPG=off): index suggestions are estimates';
  // The advisor costs the plans EXPLAIN makes: without EXPLAIN there is nothing to verify.
  if (process.env.QUERYLENS_EXPLAIN === 'off') return 'not used: automatic EXPLAIN is off, so there are no index suggestions';
  try {
    await pool.query('CREATE EXTENSION IF NOT EXISTS hypopg');
    return 'installed: index suggestions are verified with hypothetical indexes';
  } catch {
    return 'not available on this server: index suggestions are estimates from pg_stats';
  }
}

async function seed() {
  await pool.query(`
    CREATE TABLE IF NOT EXISTS ql_demo_customers (id serial PRIMARY KEY, name text NOT NULL, email text NOT NULL);
    CREATE TABLE IF NOT EXISTS ql_demo_orders (id serial PRIMARY KEY, customer_id int NOT NULL, total numeric NOT NULL, note text);
  `);
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM ql_demo_customers');
  if (rows[0].n > 0) return;
  await pool.query(`INSERT INTO ql_demo_customers (name, email)
    SELECT 'customer ' || g, 'c' || g || '@example.test' FROM generate_series(1, 2000) g`);
  await pool.query(`INSERT INTO ql_demo_orders (customer_id, total, note)
    SELECT 1 + (g % 2000), (g % 500) + 0.99, 'order note ' || g FROM generate_series(1, $1::int) g`, [ORDERS]);
}

const routes = {
  // Cached lookup through the tiered cache.
  async '/customer'(params) {
    const id = Number(params.get('id') || 1);
    const customer = await customers.get(`customer:${id}`, async () => {
      const { rows } = await pool.query('SELECT id, name, email FROM ql_demo_customers WHERE id = $1', [id]);
      return rows[0];
    });
    return customer ?? null;
  },
  // Uncached lookup, called often with the same few ids: a cache candidate.
  async '/customer-name'(params) {
    const id = Number(params.get('id') || 1);
    const { rows } = await pool.query('SELECT name FROM ql_demo_customers WHERE id = $1', [id]);
    return rows[0] ?? null;
  },
  // A cache candidate cached with cache.query; /rename's writes invalidate it.
  async '/customer-email'(params) {
    const id = Number(params.get('id') || 1);
    const { rows, stale } = await emails.query(pool, 'SELECT id, email FROM ql_demo_customers WHERE id = $1', [id]);
    return { ...rows[0], stale: stale === true };
  },
  // A write the agent sees: it drops the cached emails of ql_demo_customers, in every instance.
  async '/rename'(params) {
    const id = Number(params.get('id') || 1);
    await pool.query('UPDATE ql_demo_customers SET name = name WHERE id = $1', [id]);
    return { renamed: id };
  },
  // Deliberate N+1: one query per customer instead of a join, each scanning the unindexed customer_id.
  async '/recent-orders'() {
    const { rows: customers } = await pool.query('SELECT * FROM ql_demo_customers ORDER BY id LIMIT 8');
    const result = [];
    for (const customer of customers) {
      const { rows } = await pool.query('SELECT id, total FROM ql_demo_orders WHERE customer_id = $1 ORDER BY total DESC LIMIT 3', [customer.id]);
      result.push({ customer: customer.name, orders: rows });
    }
    return result;
  },
  // Deliberate leading wildcard: no index can serve it. Results kept a few seconds in an lru-cache.
  async '/search'(params) {
    const term = params.get('q') || '42';
    const cached = searches.get(term);
    if (cached) return cached;
    const { rows } = await pool.query('SELECT id, name FROM ql_demo_customers WHERE name LIKE $1 LIMIT 20', [`%${term}`]);
    searches.set(term, rows);
    return rows;
  },
  // Deliberate slow scan on the reporting pool: hashes every row for a filter no index serves.
  async '/report'() {
    const { rows } = await reporting.query(
      'SELECT customer_id, sum(total) AS spent FROM ql_demo_orders WHERE md5(note) LIKE $1 GROUP BY customer_id ORDER BY spent DESC LIMIT 5',
      ['%abc%'],
    );
    return rows;
  },
};

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const route = routes[url.pathname];
  if (!route) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ routes: Object.keys(routes) }));
    return;
  }
  route(url.searchParams).then(
    (body) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); },
    (error) => { res.writeHead(500, { 'content-type': 'application/json' }); res.end(JSON.stringify({ error: error.message })); },
  );
});

function get(path) {
  http.get(`http://127.0.0.1:${PORT}${path}`, (res) => res.resume()).on('error', () => undefined);
}

/** The anti-pattern routes every 200 ms, and beside them cached emails with a rename every 3 s; one timer for both. */
function startTraffic() {
  const paths = ['/customer?id=', '/customer?id=', '/customer-name?id=', '/customer-name?id=', '/recent-orders', '/search?q=', '/report'];
  let tick = 0;
  const timer = setInterval(() => {
    tick += 1;
    const path = paths[tick % paths.length];
    const suffix = path.endsWith('=') ? String(1 + (tick % 10)) : '';
    get(`${path}${suffix}`);
    get(tick % 15 === 0 ? `/rename?id=${1 + (tick % 5)}` : `/customer-email?id=${1 + (tick % 5)}`);
  }, 200);
  return timer;
}

async function main() {
  await seed();
  const hypopg = await hypopgLine();
  server.listen(PORT, () => {
    const lines = [
      `querylens demo service   http://localhost:${PORT}/recent-orders`,
      `status page              http://localhost:${METRICS_PORT}/querylens`,
      `JSON report              http://localhost:${METRICS_PORT}/querylens/api/report   (or: npx querylens report --url http://localhost:${METRICS_PORT})`,
      `Prometheus metrics       http://localhost:${METRICS_PORT}/metrics`,
      `agent health             http://localhost:${METRICS_PORT}/healthz`,
      `HypoPG                   ${hypopg}`,
      `cache                    ${redis ? `memory (${MEMORY_TTL_MS / 1000} s), then Redis (${CACHE_TTL_MS / 1000} s)` : 'memory only (no Redis)'}`,
      `query cache              /customer-email: cache.query, ${EMAIL_TTL_MS / 1000} s TTL, ${EMAIL_GRACE_MS / 60_000} min grace (answers stale while PostgreSQL restarts), dropped by /rename`,
      TRAFFIC ? 'traffic generator        on (DEMO_TRAFFIC=off to stop it); Ctrl-C to quit' : 'traffic generator        off',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  });
  const traffic = TRAFFIC ? startTraffic() : undefined;
  let stopping = false;
  // Idempotent: from a terminal, Ctrl-C reaches this process and run.cjs, which passes it on too.
  const stop = () => {
    if (stopping) return;
    stopping = true;
    if (traffic) clearInterval(traffic);
    server.close();
    Promise.allSettled([customers.close(), emails.close(), pool.end(), reporting.end(), redis?.quit()]).then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  process.stderr.write(`demo failed to start: ${error.message}\n(is PostgreSQL reachable at DATABASE_URL=${DATABASE_URL}?)\n`);
  process.exit(1);
});
