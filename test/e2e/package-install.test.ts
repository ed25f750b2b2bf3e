/**
 * The package a user installs: `npm pack` from an unbuilt tree (prepack
 * builds it), installed with pg and ioredis into a new app folder outside the
 * repository, run the ways the README shows. Also: NODE_OPTIONS reaches npm,
 * npx, yarn and the querylens CLI, and only the app they start gets the agent.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTR, METRICS, labelName } from '../../core/metrics/registry';
import { APPS, ROOT, freePort, lastJsonLine } from '../helpers/agentProcess';
import { ChildApp, type ChildAppOptions } from '../helpers/childApp';
import { find, parseSamples, type Sample } from '../helpers/promText';
import { waitFor } from '../helpers/waitFor';

const run = promisify(execFile);
const FIXTURE = join(ROOT, 'test', 'fixtures', 'packaged-app');
const NPM_TIMEOUT_MS = 180_000;
const STARTUP_LINE = /^querylens \d+\.\d+\.\d+ \(pid (\d+)\): listening on /gm;

let workDir: string;
let appDir: string;
let packedFiles: string[];
const started: ChildApp[] = [];

function packageVersion(projectDir: string, name: string): string {
  return (JSON.parse(readFileSync(join(projectDir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The modules a shipped file holds: itself, or for the preload's one file
 * (scripts/preload-bundle.mjs) each compiled file in it, under its own path (its folder, then its name),
 * whose relative requires resolve from there, and the file's own first lines.
 */
function modulesIn(path: string, source: string): [string, string][] {
  const header = /^\["([^"]+)", "([^"]+)", \{[^\n]*\}, \(function \(exports, require, module, __filename, __dirname\) \{$/gm;
  const starts = [...source.matchAll(header)];
  if (starts.length === 0) return [[path, source]];
  const files = starts.map((start, at): [string, string] => [posix.join(posix.dirname(path), start[1]!, start[2]!), source.slice(start.index + start[0].length, starts[at + 1]?.index ?? source.length)]);
  return [[path, source.slice(0, starts[0]!.index)], ...files];
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'ql-package-'));
  // prepack removes dist/ and builds it again, as in a clone that was never built.
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', workDir], { cwd: ROOT, timeout: NPM_TIMEOUT_MS });
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  packedFiles = packed.files.map((file) => file.path);
  appDir = join(workDir, 'app');
  await run('mkdir', [appDir]);
  writeFileSync(join(appDir, 'package.json'), JSON.stringify({ name: 'ql-packaged-app', private: true, scripts: { start: 'node server.cjs' } }));
  for (const file of ['server.cjs', 'server.mjs', 'select-star.sql']) copyFileSync(join(FIXTURE, file), join(appDir, file));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(workDir, packed.filename),
    `pg@${packageVersion(ROOT, 'pg')}`, `ioredis@${packageVersion(ROOT, 'ioredis')}`], { cwd: appDir, timeout: NPM_TIMEOUT_MS });
}, 2 * NPM_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all(started.map((app) => app.stop()));
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

interface Started {
  readonly app: ChildApp;
  readonly pid: number;
  /** The app's own HTTP port: each request runs one statement and one Redis command. */
  readonly appPort: number;
}

async function startApp(script: string, port: number, options: ChildAppOptions): Promise<Started> {
  const app = new ChildApp(script, {
    ...options,
    cwd: appDir,
    env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(port), OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', QUERYLENS_STARTUP_LOG: 'on', ...options.env },
  });
  started.push(app);
  const { pid, port: appPort } = await app.waitForLine<{ ready?: boolean; pid: number; port: number }>((line) => line.ready === true, 30_000);
  return { app, pid, appPort };
}

/**
 * Sends the app requests until the agent lists its statement: a statement run
 * before the SQL parser has loaded is timed but not yet in the per-statement table.
 */
async function scrapeWithTraffic(app: Started, agentPort: number): Promise<Sample[]> {
  return waitFor('the app\'s statement in the per-statement series', async () => {
    await fetch(`http://127.0.0.1:${app.appPort}/`);
    const samples = parseSamples(await (await fetch(`http://127.0.0.1:${agentPort}/metrics`)).text());
    return find(samples, METRICS.queryCalls.scraped).some((sample) => sample.labels.db_operation_name === 'SELECT') ? samples : undefined;
  }, 10_000);
}

function expectAppSeries(samples: Sample[], pid: number): void {
  expect(Number(find(samples, 'target_info')[0]?.labels.process_pid)).toBe(pid);
  const duration = `${METRICS.dbOperationDuration.scraped}_count`;
  expect(find(samples, duration, { db_system_name: 'postgresql', db_operation_name: 'SELECT' }).length).toBeGreaterThan(0);
  expect(find(samples, duration, { db_system_name: 'redis', db_operation_name: 'GET' }).length).toBeGreaterThan(0);
  expect(find(samples, METRICS.dbConnectionMax.scraped, { [labelName(ATTR.poolName)]: 'packaged-app' })).toHaveLength(1);
}

/** The pids of the processes that printed the agent's start-up line. */
function announcedPids(stderr: string): number[] {
  return [...stderr.matchAll(STARTUP_LINE)].map((match) => Number(match[1]));
}

describe('the packed package', () => {
  it('holds the compiled agent, CLI, cache library, dashboards, rules and docs, and nothing local', () => {
    for (const needed of [
      'dist/agent/register.js', 'dist/agent/register.bundle.js', 'dist/agent/register.bundle.cache', 'dist/agent/register.mjs', 'dist/agent/index.js', 'dist/agent/index.d.ts',
      'dist/agent/cli/main.js', 'dist/cache/index.js', 'dist/cache/index.d.ts',
      'dashboards/grafana/overview.json', 'dashboards/prometheus/querylens.rules.yml', 'dashboards/alertmanager/alertmanager.yml',
      'docs/rules.md', 'README.md', 'package.json',
    ]) expect(packedFiles).toContain(needed);
    const local = packedFiles.filter((file) => /^(test|bench|examples|scripts|\.tools|node_modules|test-results)\/|\.map$|\.ts$(?<!\.d\.ts)/.test(file));
    expect(local).toEqual([]);
  });

  it('every module it ships imports only shipped files, Node built-ins and its dependencies', () => {
    const manifest = JSON.parse(readFileSync(join(appDir, 'node_modules', 'querylens', 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>; peerDependencies: Record<string, string>;
    };
    const allowed = new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)]);
    const unresolved: string[] = [];
    for (const [file, text] of packedFiles.filter((path) => /\.[cm]?js$/.test(path)).flatMap((path) => modulesIn(path, readFileSync(join(appDir, 'node_modules', 'querylens', path), 'utf8')))) {
      // Comments left out: they show calls (`require('querylens').startAgent()`) that import nothing.
      const source = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      // tsc writes CommonJS imports as require("…") and keeps a lazy require('…') as written; the one ES module entry uses import … from '…'.
      for (const [, required, lazilyRequired, imported] of source.matchAll(/\brequire\("([^"]+)"\)|\brequire\('([^']+)'\)|^import [^;]*?from '([^']+)'/gm)) {
        const specifier = required ?? lazilyRequired ?? imported;
        if (specifier.startsWith('node:')) continue;
        if (specifier.startsWith('.')) {
          const target = posix.join(posix.dirname(file), specifier);
          if (![target, `${target}.js`, posix.join(target, 'index.js')].some((candidate) => packedFiles.includes(candidate))) unresolved.push(`${file} → ${specifier}`);
          continue;
        }
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
        if (!allowed.has(name)) unresolved.push(`${file} → ${specifier}`);
      }
    }
    expect(unresolved).toEqual([]);
  });

  it('writes dashboards and rules for the user\'s own job with npx querylens dashboards', async () => {
    const out = join(workDir, 'monitoring');
    const { stdout } = await run('npx', ['--no-install', 'querylens', 'dashboards', '--job', 'orders', '--datasource', 'Mimir', '--out', out], { cwd: appDir });
    expect(stdout).toContain(out);
    const rules = readFileSync(join(out, 'prometheus', 'querylens.rules.yml'), 'utf8');
    expect(rules).toContain('job="orders"');
    expect(rules).not.toContain('job="querylens"');
    await run('promtool', ['check', 'rules', join(out, 'prometheus', 'querylens.rules.yml')]);
    const overview = readFileSync(join(out, 'grafana', 'dashboards', 'overview.json'), 'utf8');
    expect(overview).toContain('"Mimir"');
  });

  it("compiles the installed preload's one file from the code cache it ships with", async () => {
    const report = 'process.stdout.write(JSON.stringify(globalThis.scriptCompiles))';
    const { stdout } = await run(process.execPath, ['--require', join(APPS, 'script-compiles.cjs'), '--require', 'querylens/register', '-e', report], {
      cwd: appDir,
      env: { ...process.env, OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) },
    });
    const bundle = join(appDir, 'node_modules', 'querylens', 'dist', 'agent', 'register.bundle.js');
    expect(lastJsonLine(stdout)).toEqual([{ filename: bundle, cachedDataRejected: false }]);
  });

  it('instruments a CommonJS app run with --require querylens/register', async () => {
    const port = await freePort();
    const started = await startApp('server.cjs', port, { nodeArgs: ['--require', 'querylens/register'] });
    expectAppSeries(await scrapeWithTraffic(started, port), started.pid);
    expect(announcedPids(started.app.stderr)).toEqual([started.pid]);
  });

  it('instruments an ESM app run with --import querylens/register', async () => {
    const port = await freePort();
    const started = await startApp('server.mjs', port, { nodeArgs: ['--import', 'querylens/register'] });
    expectAppSeries(await scrapeWithTraffic(started, port), started.pid);
    expect(announcedPids(started.app.stderr)).toEqual([started.pid]);
  });

  it.each([
    ['npm start', 'npm', 'start'],
    ['yarn start', join(ROOT, 'node_modules', '.bin', 'yarn'), 'start'],
  ])('NODE_OPTIONS reaches %s: the app gets the agent and the launcher does not', async (_name, program, script) => {
    const port = await freePort();
    const started = await startApp(script, port, { program, env: { NODE_OPTIONS: '--require querylens/register' } });
    expectAppSeries(await scrapeWithTraffic(started, port), started.pid);
    expect(announcedPids(started.app.stderr)).toEqual([started.pid]);
    expect(started.app.stderr).not.toContain('already in use');
  });

  it('NODE_OPTIONS leaves npx and the querylens CLI alone', async () => {
    const port = await freePort();
    const env = { ...process.env, NODE_OPTIONS: '--require querylens/register', QUERYLENS_STARTUP_LOG: 'on', OTEL_EXPORTER_PROMETHEUS_PORT: String(port) };
    const { stdout, stderr } = await run('npx', ['--no-install', 'querylens', 'lint', 'select-star.sql'], { cwd: appDir, env, timeout: 60_000 });
    expect(stderr).toBe('');
    expect(stdout).toContain('select-star.sql:2:8 warning select-star');
    const direct = await run(join(appDir, 'node_modules', '.bin', 'querylens'), ['--version'], { cwd: appDir, env });
    expect(direct).toEqual({ stdout: `${packageVersion(appDir, 'querylens')}\n`, stderr: '' });
  });
});
