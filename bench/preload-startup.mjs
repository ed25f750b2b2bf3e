// Start-up cost of the preload: an empty CommonJS and an empty ES-module main
// file, bare and with the agent preloaded (--require, and --import for ESM).
// Each run is a fresh process, timed from spawn to exit; runs are interleaved
// in a shuffled order per round (BENCH_ROUNDS, default 15). Prints medians.
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
const cjsEntry = join(root, 'dist', 'agent', 'register.js');
const esmEntry = join(root, 'dist', 'agent', 'register.mjs');
const modes = {
  'bare CommonJS': [join(app, 'main.cjs')],
  'CommonJS, --require': ['--require', cjsEntry, join(app, 'main.cjs')],
  'bare ESM': [join(app, 'main.mjs')],
  'ESM, --require': ['--require', cjsEntry, join(app, 'main.mjs')],
  'ESM, --import': ['--import', esmEntry, join(app, 'main.mjs')],
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
for (const [mode, list] of Object.entries(times)) console.log(`${mode.padEnd(22)} median ${median(list).toFixed(0)} ms`);
