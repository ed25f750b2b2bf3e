// Start-up cost of the preload: an empty CommonJS and an empty ES-module main
// file, bare and with the agent preloaded (--require, and --import for ESM).
// Each run is a fresh process, timed from spawn to exit; runs are interleaved
// in a shuffled order per round (BENCH_ROUNDS, default 15). Prints medians.
// BENCH_BASELINE_DIST=<a build's dist directory> adds that build's preloads,
// timed in the same rounds.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const app = mkdtempSync(join(tmpdir(), 'ql-startup-'));
writeFileSync(join(app, 'package.json'), '{"name":"startup-bench"}\n');
writeFileSync(join(app, 'main.cjs'), '\n');
writeFileSync(join(app, 'main.mjs'), '\n');
function preloads(dist, suffix) {
  const cjsEntry = join(dist, 'agent', 'register.js');
  const esmEntry = join(dist, 'agent', 'register.mjs');
  return {
    [`CommonJS, --require${suffix}`]: ['--require', cjsEntry, join(app, 'main.cjs')],
    [`ESM, --require${suffix}`]: ['--require', cjsEntry, join(app, 'main.mjs')],
    [`ESM, --import${suffix}`]: ['--import', esmEntry, join(app, 'main.mjs')],
  };
}
const baseline = process.env.BENCH_BASELINE_DIST;
const modes = {
  'bare CommonJS': [join(app, 'main.cjs')],
  'bare ESM': [join(app, 'main.mjs')],
  ...preloads(join(root, 'dist'), ''),
  ...(baseline ? preloads(baseline, ' (baseline)') : {}),
};
const rounds = Number(process.env.BENCH_ROUNDS ?? 15);
const times = Object.fromEntries(Object.keys(modes).map((mode) => [mode, []]));
for (let round = 0; round < rounds; round++) {
  for (const [mode, args] of Object.entries(modes).sort(() => Math.random() - 0.5)) {
    const started = process.hrtime.bigint();
    const run = spawnSync(process.execPath, args, { env: { ...process.env, OTEL_EXPORTER_PROMETHEUS_PORT: '0' }, encoding: 'utf8' });
    times[mode].push(Number(process.hrtime.bigint() - started) / 1e6);
    if (run.status !== 0 || run.stderr) throw new Error(`${mode}: exit ${run.status} ${run.stderr}`);
  }
}
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
for (const [mode, list] of Object.entries(times)) console.log(`${mode.padEnd(34)} median ${median(list).toFixed(0)} ms`);
