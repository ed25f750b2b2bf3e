// Instructions per operation under callgrind: the agent's CPU cost counted,
// not timed. Wall-clock ratios on this shared 2-core machine move by more
// than the agent costs (bench/README.md). For pg, the instructions the app's
// main thread executes per statement repeated within 0.5% across runs here,
// so two builds, or the agent and no agent, compare closely. For Redis they
// moved by up to 15% between runs (how many replies one socket read brings
// depends on timing, even under valgrind): read its ratio as indicative.
// Needs valgrind (callgrind_control). Takes about a minute per mode and operation.
// BENCH_BASELINE_DIST=<dist> adds another build of the agent, counted in the same run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR, MODES, ROOT, modesWithBaseline } from './modes.mjs';

const OPERATIONS = Number(process.env.BENCH_OPERATIONS || 4000);
const wanted = (process.env.BENCH_MODES || 'bare,upstream (OTEL_TRACES_EXPORTER=none),querylens,querylens (QUERYLENS_CALL_SITES=off)').split(',');

/** Instructions of the dumped phase: callgrind's part 1, per thread (thread 1 is the main thread). */
function phaseInstructions(directory) {
  const perThread = readdirSync(directory)
    .filter((file) => /\.1-\d+$/.test(file))
    .map((file) => ({ thread: Number(file.split('-').pop()), count: Number(/^summary: (\d+)/m.exec(readFileSync(join(directory, file), 'utf8'))?.[1] ?? 0) }));
  if (perThread.length === 0) throw new Error(`no callgrind dump of the measured phase in ${directory}`);
  return {
    main: perThread.find((part) => part.thread === 1)?.count ?? 0,
    all: perThread.reduce((sum, part) => sum + part.count, 0),
  };
}

function measure(mode, operation, port) {
  const directory = mkdtempSync(join(tmpdir(), 'ql-callgrind-'));
  try {
    execFileSync('valgrind', [
      '--tool=callgrind', '--separate-threads=yes', '--smc-check=all-non-file', `--callgrind-out-file=${join(directory, 'cg')}`,
      process.execPath, ...mode.args, join(BENCH_DIR, 'instructions-phase.cjs'),
    ], {
      cwd: ROOT,
      env: {
        ...process.env, ...mode.env, BENCH_OPERATION: operation, BENCH_OPERATIONS: String(OPERATIONS),
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port), OTEL_SERVICE_NAME: 'querylens-bench',
        ...(mode.agent ? { BENCH_AGENT_PORT: String(port) } : {}),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const { main, all } = phaseInstructions(directory);
    return { main: main / OPERATIONS, all: all / OPERATIONS };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

// A baseline build (BENCH_BASELINE_DIST) is measured whenever it is given.
const modes = modesWithBaseline().filter((mode) => wanted.includes(mode.name) || (mode.name.startsWith('querylens (') && !MODES.includes(mode)));
const rows = [];
for (const operation of (process.env.BENCH_INSTRUCTION_OPERATIONS || 'pg,redis,pool').split(',')) {
  const results = modes.map((mode, index) => {
    const result = measure(mode, operation, 19564 + index);
    process.stderr.write(`${operation} ${mode.name}: ${Math.round(result.main)} main-thread instructions per operation\n`);
    return { mode, result };
  });
  const bare = results.find(({ mode }) => mode.name === 'bare')?.result;
  for (const { mode, result } of results) {
    rows.push({
      operation,
      mode: mode.name,
      'main thread / op': Math.round(result.main),
      'vs bare': bare ? Number((result.main / bare.main).toFixed(3)) : undefined,
      'all threads / op': Math.round(result.all),
    });
  }
}
console.log(`instructions: ${OPERATIONS} operations per run after a warm-up, counted by callgrind (pg: select $1::int over a pool of 10; Redis: GET; pool: pool.query over a pool of 10 in-memory clients, no server; concurrency 32)`);
console.table(rows);
