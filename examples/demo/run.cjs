'use strict';
// `npm run demo`: finds PostgreSQL and Redis, or does without them, then
// starts the demo service (server.cjs) with the agent preloaded.
// - PostgreSQL: DATABASE_URL, else the local server; when none answers, an
//   embedded PostgreSQL (PGlite) on a free local port, run by this process.
// - Redis: REDIS_URL, else the local server; when none answers, the demo's
//   cache is memory only.
// Ctrl-C (SIGINT) or SIGTERM stops the service, then the embedded database.
const { spawn } = require('node:child_process');
const path = require('node:path');
const { postgresProblem, redisProblem } = require('./serviceProbes.cjs');
const { startEmbeddedPostgres } = require('./embeddedPostgres.cjs');

const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const REGISTER = path.join(__dirname, '..', '..', 'dist', 'agent', 'register.js');

function say(line) {
  process.stdout.write(`${line}\n`);
}

/** The URL without its password, for printing. */
function shown(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return url;
  }
}

async function main() {
  const env = { ...process.env };
  let embedded;
  const pgProblem = await postgresProblem(DATABASE_URL);
  if (pgProblem === undefined) {
    say(`PostgreSQL               ${shown(DATABASE_URL)}`);
    env.DATABASE_URL = DATABASE_URL;
  } else {
    say(`PostgreSQL               none answers at ${shown(DATABASE_URL)} (${pgProblem}); starting an embedded PostgreSQL (PGlite)…`);
    embedded = await startEmbeddedPostgres();
    say(`PostgreSQL               embedded (PGlite, in memory) at ${embedded.url}`);
    env.DATABASE_URL = embedded.url;
    // EXPLAIN sets session settings (read-only, statement_timeout) on its own
    // connection; PGlite shares one session between connections, so they would
    // apply to the demo's too.
    env.QUERYLENS_EXPLAIN = 'off';
    env.DEMO_ORDERS = env.DEMO_ORDERS || '50000';
    say('                         automatic EXPLAIN is off: PGlite shares one session between connections');
  }
  const redisIssue = await redisProblem(REDIS_URL);
  if (redisIssue === undefined) {
    say(`Redis                    ${shown(REDIS_URL)}`);
    env.REDIS_URL = REDIS_URL;
  } else {
    say(`Redis                    none answers at ${shown(REDIS_URL)} (${redisIssue}); the cache runs in memory only`);
    env.REDIS_URL = '';
  }

  const service = spawn(process.execPath, ['--require', REGISTER, path.join(__dirname, 'server.cjs')], { env, stdio: 'inherit' });
  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    // From a terminal the service got the same Ctrl-C; a signal sent to this process alone is passed on.
    if (service.exitCode === null && service.signalCode === null) service.kill(signal);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const code = await new Promise((resolve) => service.on('close', (exitCode) => resolve(exitCode ?? 1)));
  if (embedded) await embedded.stop();
  say(stopping ? 'demo stopped' : `demo service exited (${code})`);
  process.exitCode = stopping ? 0 : code;
}

main().catch((error) => {
  process.stderr.write(`demo failed to start: ${error.message}\n`);
  process.exitCode = 1;
});
