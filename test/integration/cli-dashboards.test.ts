/**
 * `querylens dashboards` as a user runs it: the built CLI in a child process, what it writes
 * checked by the real promtool and amtool and against the dashboards the package ships.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { DashboardJson } from '../../dashboards/grafana/src/variableDefaults';
import { parseDashboardJson } from '../../dashboards/grafana/src/variableDefaults';
import { VARIABLE } from '../../dashboards/grafana/src/variableNames';
import { DEFAULT_JOB } from '../../dashboards/ruleArtifacts';
import { LABEL } from '../../dashboards/shared/labels';
import { ROOT } from '../helpers/agentProcess';
import { runTool, TOOLS } from '../helpers/prometheusTools';
import { parsePromql } from '../helpers/promqlSyntax';

const CLI = join(ROOT, 'dist', 'agent', 'cli', 'main.js');
const SHIPPED_GRAFANA = join(ROOT, 'dashboards', 'grafana');
const SHIPPED_DASHBOARDS = readdirSync(SHIPPED_GRAFANA).filter((file) => file.endsWith('.json')).sort();
/** Records every module the CLI loaded, at exit. */
const PRELOAD = "process.on('exit', () => require('node:fs').writeFileSync(process.env.QL_LOADED_MODULES, JSON.stringify(Object.keys(require.cache))));\n";

interface Rule { readonly expr: string }
interface RuleFile { readonly groups: readonly { readonly rules: readonly Rule[] }[] }
interface DashboardProviders { readonly providers: readonly { readonly type: string; readonly options: { readonly path: string } }[] }
interface Datasources { readonly datasources: readonly { readonly name: string; readonly uid?: string; readonly type: string }[] }

let scratch = '';

function run(args: readonly string[]) {
  const loaded = join(scratch, 'loaded-modules.json');
  const result = spawnSync(process.execPath, ['--require', join(scratch, 'preload.cjs'), CLI, ...args], {
    cwd: scratch, encoding: 'utf8', timeout: 30_000, env: { ...process.env, QL_LOADED_MODULES: loaded },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, modules: JSON.parse(readFileSync(loaded, 'utf8')) as string[] };
}

const read = (out: string, path: string) => readFileSync(join(scratch, out, path), 'utf8');
const shippedDashboard = (file: string) => parseDashboardJson(readFileSync(join(SHIPPED_GRAFANA, file), 'utf8'), file);
const variable = (dashboard: DashboardJson, name: string) => dashboard.templating.list.find((v) => v.name === name);

function withoutCurrent(dashboard: DashboardJson): unknown {
  return { ...dashboard, templating: { ...dashboard.templating, list: dashboard.templating.list.map(({ current: _c, ...rest }) => rest) } };
}

/** The value of every `job` matcher in the written rule file. */
function ruleJobs(out: string): string[] {
  const rules = (parse(read(out, 'prometheus/querylens.rules.yml')) as RuleFile).groups.flatMap((group) => group.rules);
  return rules.flatMap((rule) => parsePromql(rule.expr).selectors).flatMap((selector) => selector.matchers)
    .filter((matcher) => matcher.label === LABEL.job).map((matcher) => matcher.value);
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  scratch = mkdtempSync(join(tmpdir(), 'ql-cli-dashboards-'));
  writeFileSync(join(scratch, 'preload.cjs'), PRELOAD);
});

afterAll(() => {
  if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
});

describe('querylens dashboards --job myjob --datasource Mimir --out out', () => {
  let result: ReturnType<typeof run>;
  beforeAll(() => {
    result = run(['dashboards', '--job', 'myjob', '--datasource', 'Mimir', '--out', 'out']);
  });

  it('writes the dashboards, rules, examples and provisioning files, and lists them', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const written = [
      ...SHIPPED_DASHBOARDS.map((file) => `grafana/dashboards/${file}`),
      'grafana/provisioning/dashboards/querylens.yaml', 'grafana/provisioning/datasources/querylens.yaml',
      'prometheus/querylens.rules.yml', 'prometheus/prometheus.example.yml', 'alertmanager/alertmanager.yml',
    ];
    expect(readdirSync(join(scratch, 'out'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name).slice(join(scratch, 'out').length + 1)).sort()).toEqual([...written].sort());
    expect(result.stdout.split('\n')[0]).toBe(`Wrote ${written.length} files for job "myjob" and data source "Mimir" under ${join(scratch, 'out')}:`);
    for (const path of written) expect(result.stdout).toMatch(new RegExp(`^  ${path} +\\S`, 'm'));
  });

  it('loads neither the agent (OpenTelemetry) nor the Grafana SDK, which the installed package lacks', () => {
    expect(result.modules.some((path) => path.endsWith(join('dist', 'dashboards', 'ruleArtifacts.js')))).toBe(true);
    expect(result.modules.filter((path) => /[\\/]node_modules[\\/]@(grafana|opentelemetry)[\\/]/.test(path))).toEqual([]);
  });

  it('writes rules that select job="myjob" only and pass promtool check rules with every lint on', () => {
    const jobs = ruleJobs('out');
    expect(jobs.length).toBeGreaterThan(20);
    expect(new Set(jobs)).toEqual(new Set(['myjob']));
    expect(read('out', 'prometheus/querylens.rules.yml')).not.toContain(`job="${DEFAULT_JOB}"`);
    const check = runTool(TOOLS.promtool, ['check', 'rules', '--lint=all', '--lint-fatal', join(scratch, 'out', 'prometheus', 'querylens.rules.yml')]);
    expect(check.status, check.output).toBe(0);
  });

  it('writes a scrape config for job myjob that loads the rule file next to it (promtool check config)', () => {
    const config = parse(read('out', 'prometheus/prometheus.example.yml')) as { scrape_configs: { job_name: string }[]; rule_files: string[] };
    expect(config.scrape_configs.map((scrape) => scrape.job_name)).toEqual(['myjob']);
    expect(config.rule_files).toEqual(['querylens.rules.yml']);
    const check = runTool(TOOLS.promtool, ['check', 'config', 'prometheus.example.yml'], join(scratch, 'out', 'prometheus'));
    expect(check.output).toContain('SUCCESS: 1 rule files found');
    expect(check.status, check.output).toBe(0);
  });

  it('copies the Alertmanager example, which passes amtool check-config', () => {
    expect(read('out', 'alertmanager/alertmanager.yml')).toBe(readFileSync(join(ROOT, 'dashboards', 'alertmanager', 'alertmanager.yml'), 'utf8'));
    const check = runTool(TOOLS.amtool, ['check-config', join(scratch, 'out', 'alertmanager', 'alertmanager.yml')]);
    expect(check.status, check.output).toBe(0);
  });

  it.each(SHIPPED_DASHBOARDS)('writes %s with job myjob and data source Mimir preselected, and otherwise as shipped', (file) => {
    const written = parseDashboardJson(read('out', `grafana/dashboards/${file}`), file);
    expect(variable(written, VARIABLE.job)?.current).toMatchObject({ text: ['myjob'], value: ['myjob'] });
    expect(variable(written, VARIABLE.datasource)?.current).toMatchObject({ text: 'Mimir', value: 'Mimir' });
    const shipped = shippedDashboard(file);
    expect(written.panels).toEqual(shipped.panels);
    expect(withoutCurrent(written)).toEqual(withoutCurrent(shipped));
  });

  it('writes a dashboard provider that loads the written folder and a data source named Mimir', () => {
    const providers = parse(read('out', 'grafana/provisioning/dashboards/querylens.yaml')) as DashboardProviders;
    expect(providers.providers).toEqual([expect.objectContaining({ type: 'file', options: { path: join(scratch, 'out', 'grafana', 'dashboards') } })]);
    expect(readdirSync(providers.providers[0]?.options.path ?? '').sort()).toEqual(SHIPPED_DASHBOARDS);
    const datasources = parse(read('out', 'grafana/provisioning/datasources/querylens.yaml')) as Datasources;
    expect(datasources.datasources).toEqual([expect.objectContaining({ name: 'Mimir', uid: 'Mimir', type: 'prometheus' })]);
  });
});

describe('querylens dashboards with names that need quoting', () => {
  it('quotes a job with quotes and backslashes everywhere, and provisions a data source name that is no uid by name', () => {
    const job = 'checkout "eu"\\blue';
    const result = run(['dashboards', '--job', job, '--datasource', 'Prometheus EU', '--out', 'odd']);
    expect(result.code, result.stderr).toBe(0);
    expect(new Set(ruleJobs('odd'))).toEqual(new Set([job]));
    const check = runTool(TOOLS.promtool, ['check', 'config', join(scratch, 'odd', 'prometheus', 'prometheus.example.yml')]);
    expect(check.status, check.output).toBe(0);
    const config = parse(read('odd', 'prometheus/prometheus.example.yml')) as { scrape_configs: { job_name: string }[] };
    expect(config.scrape_configs[0]?.job_name).toBe(job);
    const overview = parseDashboardJson(read('odd', 'grafana/dashboards/overview.json'), 'overview.json');
    expect(variable(overview, VARIABLE.job)?.current).toMatchObject({ value: [job] });
    const datasources = parse(read('odd', 'grafana/provisioning/datasources/querylens.yaml')) as Datasources;
    expect(datasources.datasources).toEqual([{ name: 'Prometheus EU', type: 'prometheus', access: 'proxy', url: expect.any(String) as unknown }]);
  });
});

describe('querylens dashboards usage', () => {
  it.each([
    ['a missing --out', ['--job', 'myjob'], '--out is required'],
    ['a missing --job', ['--out', 'nowhere'], '--job is required'],
    ['an empty job', ['--job', '', '--out', 'nowhere'], '--job must not be empty'],
    ['an unknown option', ['--job', 'myjob', '--out', 'nowhere', '--jobs', 'x'], "Unknown option '--jobs'"],
    ['a stray argument', ['--job', 'myjob', '--out', 'nowhere', 'extra'], "Unexpected argument 'extra'"],
  ])('exits 2 on %s with one clear line, writing nothing', (_what, args, message) => {
    const result = run(['dashboards', ...args]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toContain(`querylens: ${message}`);
    expect(existsSync(join(scratch, 'nowhere'))).toBe(false);
  });

  it('documents itself in --help and in the command list', () => {
    const help = run(['dashboards', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: querylens dashboards --job <job> --out <dir>/);
    for (const option of ['--job', '--datasource', '--runbook-url', '--out', '--help']) expect(help.stdout).toContain(option);
    expect(run(['--help']).stdout).toMatch(/^ {2}dashboards {2}\S/m);
  });
});
