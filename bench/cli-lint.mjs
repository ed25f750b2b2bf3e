// `querylens lint` in a fresh process, as CI runs it: wall time, CPU time and
// peak RSS for one small file and for 1,000 files, median over rounds, with
// V8's default WebAssembly tiering next to the CLI as shipped (baseline
// compiler only, see agent/wasmTiering.ts), in one run. Needs GNU time
// (/usr/bin/time).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './modes.mjs';
import { median } from './rounds.mjs';

const rounds = Number(process.env.BENCH_ROUNDS || 3);
const cli = join(ROOT, 'dist', 'agent', 'cli', 'main.js');
const STATEMENTS = [
  'SELECT * FROM users WHERE id = 1;',
  'ALTER TABLE accounts ADD COLUMN c int NOT NULL DEFAULT 0;',
  'CREATE INDEX accounts_email ON accounts (email, name) WHERE deleted_at IS NULL;',
  "UPDATE accounts SET balance = balance - 1 WHERE id IN (SELECT id FROM x WHERE y LIKE '%a');",
];

const scratch = mkdtempSync(join(tmpdir(), 'querylens-bench-lint-'));

function corpus(files) {
  const directory = mkdtempSync(join(scratch, 'corpus-'));
  mkdirSync(join(directory, 'migrations'));
  for (let index = 0; index < files; index += 1) writeFileSync(join(directory, 'migrations', `${index}.sql`), `${STATEMENTS.join('\n')}\n`);
  return join(directory, 'migrations');
}

// GNU time's %M is the peak RSS in KiB; %U and %S the CPU seconds.
function lint(target, env) {
  // The report of 1,000 files is over a megabyte, spawnSync's default buffer: past it the child is killed.
  const result = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, cli, 'lint', target], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });
  const [wall, user, system, peakKiB] = result.stderr.trim().split('\n').pop().split(' ').map(Number);
  if (!Number.isFinite(peakKiB)) throw new Error(`querylens lint printed no timing: ${result.stderr}`);
  return { wall, cpu: user + system, rssMiB: peakKiB / 1024 };
}

const MODES = [
  { name: 'V8 default tiering (QUERYLENS_WASM_TIER_UP=on)', env: { QUERYLENS_WASM_TIER_UP: 'on' } },
  { name: 'querylens lint as shipped', env: { QUERYLENS_WASM_TIER_UP: 'off' } },
];
const targets = [{ name: '1 file', path: join(corpus(1), '0.sql') }, { name: '1,000 files', path: corpus(1000) }];

const rows = [];
for (const target of targets) {
  for (const mode of MODES) {
    const runs = Array.from({ length: rounds }, () => lint(target.path, mode.env));
    rows.push({
      input: target.name,
      mode: mode.name,
      'wall s': median(runs.map((run) => run.wall)).toFixed(2),
      'CPU s': median(runs.map((run) => run.cpu)).toFixed(2),
      'peak RSS MiB': median(runs.map((run) => run.rssMiB)).toFixed(0),
    });
  }
}
console.table(rows);
rmSync(scratch, { recursive: true, force: true });
