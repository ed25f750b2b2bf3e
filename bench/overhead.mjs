// Overhead benchmark: the same pg and Redis workload run bare, under the
// upstream OpenTelemetry setup and under querylens, interleaved over several
// rounds in one run, each in a fresh process. Prints throughput as ratios of
// bare (medians over rounds) and RSS. Timings on a shared 2-core machine are
// noisy: read the ratios, not the absolute numbers.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const rounds = Number(process.env.BENCH_ROUNDS || 3);

const MODES = [
  { name: 'bare', args: [], env: {} },
  { name: 'upstream (SDK defaults: traces to OTLP)', args: ['--require', join(here, 'upstream-register.cjs')], env: {} },
  { name: 'upstream (OTEL_TRACES_EXPORTER=none)', args: ['--require', join(here, 'upstream-register.cjs')], env: { OTEL_TRACES_EXPORTER: 'none' } },
  { name: 'querylens', args: ['--require', join(root, 'dist', 'agent', 'register.js')], env: {} },
];

function runOnce(mode, port) {
  const output = execFileSync(process.execPath, [...mode.args, join(here, 'workload.cjs')], {
    cwd: root,
    env: { ...process.env, OTEL_EXPORTER_PROMETHEUS_PORT: String(port), OTEL_SERVICE_NAME: 'querylens-bench', ...mode.env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(output.trim().split('\n').pop());
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const samples = new Map(MODES.map((mode) => [mode.name, []]));
for (let round = 1; round <= rounds; round += 1) {
  for (const [index, mode] of MODES.entries()) {
    const result = runOnce(mode, 19464 + index);
    samples.get(mode.name).push(result);
    process.stderr.write(`round ${round} ${mode.name}: pg ${result.pgPerSecond.toFixed(0)}/s, redis ${result.redisPerSecond.toFixed(0)}/s, rss ${result.rssMiB.toFixed(0)} MiB\n`);
  }
}

const bare = samples.get('bare');
const barePg = median(bare.map((r) => r.pgPerSecond));
const bareRedis = median(bare.map((r) => r.redisPerSecond));
const rows = MODES.map((mode) => {
  const runs = samples.get(mode.name);
  const pg = median(runs.map((r) => r.pgPerSecond));
  const redis = median(runs.map((r) => r.redisPerSecond));
  return {
    mode: mode.name,
    'pg q/s': Math.round(pg),
    'pg vs bare': Number((pg / barePg).toFixed(2)),
    'redis op/s': Math.round(redis),
    'redis vs bare': Number((redis / bareRedis).toFixed(2)),
    'rss MiB': Math.round(median(runs.map((r) => r.rssMiB))),
  };
});
console.log(`overhead: ${rounds} interleaved rounds, medians; ${process.env.BENCH_PG_QUERIES || 20000} pg queries (pool 10, concurrency 32), ${process.env.BENCH_REDIS_COMMANDS || 100000} Redis GETs`);
console.table(rows);
