'use strict';
// Does a PostgreSQL or Redis answer at a URL? Asked once, before the demo
// starts, by the launcher (which runs without the agent, so a failed probe
// never shows up in the demo's metrics).
const net = require('node:net');
const { Client } = require('pg');

const PROBE_TIMEOUT_MS = 2000;

/** Resolves to undefined when PostgreSQL answers, else to the reason it did not. */
async function postgresProblem(url) {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error.code || error.message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Resolves to undefined when Redis answers PING, else to the reason it did not. */
function redisProblem(url) {
  return new Promise((resolve) => {
    let target;
    try {
      target = new URL(url);
    } catch {
      resolve(`not a URL: ${url}`);
      return;
    }
    const socket = net.connect({ host: target.hostname || '127.0.0.1', port: Number(target.port || 6379) });
    let answer = '';
    const done = (problem) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done('timeout'));
    socket.on('error', (error) => done(error.code || error.message));
    // AUTH-protected servers answer NOAUTH: they are there, the demo's client will log in.
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) done(/^(\+PONG|-NOAUTH)/.test(answer) ? undefined : `unexpected answer ${JSON.stringify(answer.trim())}`);
    });
  });
}

module.exports = { postgresProblem, redisProblem };
