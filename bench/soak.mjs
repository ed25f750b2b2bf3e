// Long soak of the agent under cardinality floods: the app of the memory-floods
// test (test/fixtures/apps/flood-app.cjs) with the agent preloaded, driven for
// QL_SOAK_MINUTES (default 10) with a new round every QL_SOAK_ROUND_SECONDS
// (default 30): 20k new literal-built statements, 10k Redis key patterns,
// 3,000 named caches. After each round it prints heap (after GC), RSS and the
// /metrics size; at the end, the growth over the second half of the run, which
// for a bounded agent stays near zero. Not a test: run it on a quiet machine.
//
//   npm run build && node bench/soak.mjs
//   QL_SOAK_MINUTES=60 node bench/soak.mjs
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const minutes = Number(process.env.QL_SOAK_MINUTES ?? 10);
const roundSeconds = Number(process.env.QL_SOAK_ROUND_SECONDS ?? 30);

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const port = await freePort();
const app = spawn(process.execPath, ['--expose-gc', '--require', join(ROOT, 'dist', 'agent', 'register.js'), join(ROOT, 'test', 'fixtures', 'apps', 'flood-app.cjs')], {
  env: { ...process.env, OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(port), OTEL_SERVICE_NAME: 'querylens-soak' },
  stdio: ['pipe', 'pipe', 'inherit'],
});

const pending = new Map();
let buffered = '';
app.stdout.on('data', (chunk) => {
  buffered += chunk.toString();
  const lines = buffered.split('\n');
  buffered = lines.pop();
  for (const line of lines) {
    const message = JSON.parse(line);
    pending.get(message.reply)?.(message);
    pending.delete(message.reply);
  }
});

function ask(command) {
  return new Promise((resolve) => {
    pending.set(command, resolve);
    app.stdin.write(`${command}\n`);
  });
}

const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
const rows = [];
const started = Date.now();
let round = 0;
console.log('round  elapsed  statements  heap MB  RSS MB  /metrics kB  round ms');
while (Date.now() - started < minutes * 60_000) {
  const roundStarted = Date.now();
  const from = round * 20_000;
  await ask(`sql ${from} ${from + 20_000}`);
  await ask('redis 10000');
  await ask('caches 3000');
  const memory = await ask('mem');
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  round += 1;
  rows.push({ heap: memory.heapUsed, rss: memory.rss });
  console.log([round, `${Math.round((Date.now() - started) / 1000)}s`, from + 20_000, mb(memory.heapUsed), mb(memory.rss), (metrics.length / 1024).toFixed(0), Date.now() - roundStarted].map(String).map((cell) => cell.padStart(7)).join('  '));
  const wait = roundSeconds * 1000 - (Date.now() - roundStarted);
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
await ask('stop');
app.kill();

const half = rows.slice(Math.floor(rows.length / 2));
if (half.length >= 2) {
  const first = half[0];
  const last = half[half.length - 1];
  console.log(`second half (${half.length} rounds): heap ${mb(first.heap)} → ${mb(last.heap)} MB, RSS ${mb(first.rss)} → ${mb(last.rss)} MB`);
}
