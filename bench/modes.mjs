// The setups every overhead benchmark compares: the same workload bare, under
// the upstream OpenTelemetry setup (with the SDK's default trace export and
// with traces off) and under querylens, with its call sites on (the default)
// and off. `args` go before the workload script.
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(BENCH_DIR, '..');

export const MODES = [
  { name: 'bare', args: [], env: {} },
  { name: 'upstream (SDK defaults: traces to OTLP)', args: ['--require', join(BENCH_DIR, 'upstream-register.cjs')], env: {} },
  { name: 'upstream (OTEL_TRACES_EXPORTER=none)', args: ['--require', join(BENCH_DIR, 'upstream-register.cjs')], env: { OTEL_TRACES_EXPORTER: 'none' } },
  { name: 'querylens', args: ['--require', join(ROOT, 'dist', 'agent', 'register.js')], env: {}, agent: true },
  { name: 'querylens (QUERYLENS_CALL_SITES=off)', args: ['--require', join(ROOT, 'dist', 'agent', 'register.js')], env: { QUERYLENS_CALL_SITES: 'off' }, agent: true },
];

/**
 * MODES, and with BENCH_BASELINE_DIST=<a build's dist directory> that build of
 * the agent as one more mode, so two builds compare within one run.
 * BENCH_AGENT_TRACES=otlp runs every agent mode with OTEL_TRACES_EXPORTER=otlp
 * (spans made and exported, exemplars kept): the traced hot path.
 */
export function modesWithBaseline(env = process.env) {
  const baseline = env.BENCH_BASELINE_DIST;
  const modes = baseline
    ? [...MODES, { name: `querylens (${baseline})`, args: ['--require', resolve(baseline, 'agent', 'register.js')], env: {}, agent: true }]
    : MODES;
  const traces = env.BENCH_AGENT_TRACES;
  if (!traces) return modes;
  return modes.map((mode) => (mode.agent ? { ...mode, name: `${mode.name} [traces ${traces}]`, env: { ...mode.env, OTEL_TRACES_EXPORTER: traces } } : mode));
}

/**
 * Runs `script` (in bench/) once in a fresh process under `mode`, its metrics
 * port `port`; returns the JSON of the last line it prints. `nodeArgs` go
 * before the mode's preload.
 */
export function runBenchScript(mode, script, port, nodeArgs = []) {
  const output = execFileSync(process.execPath, [...nodeArgs, ...mode.args, join(BENCH_DIR, script)], {
    cwd: ROOT,
    env: { ...process.env, OTEL_EXPORTER_PROMETHEUS_PORT: String(port), OTEL_SERVICE_NAME: 'querylens-bench', ...mode.env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(output.trim().split('\n').pop());
}
