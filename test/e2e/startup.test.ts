/**
 * What the agent says at start: the one start-up line (with the real port when
 * 0 was asked for), the line an unsupported Node.js gets, and the word it adds
 * when the app fails to listen on the agent's own port.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, REGISTER_CJS, freePort, runNode } from '../helpers/agentProcess';
import { MIN_NODE_MAJOR, unsupportedNodeLine } from '../../agent/preloadGate';
import { portHeldLine } from '../../http/portHeldHint';

const EXITS = join(APPS, 'exits-by-itself.cjs');
/** Lives until the agent's server has started: the agent starts it after the app's own start. */
const WAITS_FOR_AGENT = join(APPS, 'waits-for-agent.cjs');

/** The machine's own Node.js when it is older than the supported range (the system Node is 20 here). */
function olderSystemNode(): string | undefined {
  try {
    const version = execFileSync('/usr/bin/node', ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
    return Number(version.split('.')[0]) < MIN_NODE_MAJOR ? version : undefined;
  } catch {
    return undefined;
  }
}

describe('the start-up line', () => {
  it('names the version, pid, the real port when 0 was asked for, and the exporters', async () => {
    const run = await runNode(WAITS_FOR_AGENT, {
      nodeArgs: ['--require', REGISTER_CJS],
      env: { OTEL_EXPORTER_PROMETHEUS_PORT: '0', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', QUERYLENS_STARTUP_LOG: 'on' },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('done\n');
    const match = /^querylens \d+\.\d+\.\d+ \(pid \d+\): listening on 127\.0\.0\.1:(\d+), http:\/\/127\.0\.0\.1:(\d+)\/metrics, \/querylens, \/healthz; metrics: prometheus; traces: none\n$/.exec(run.stderr);
    expect(match, run.stderr).not.toBeNull();
    expect(Number(match?.[1])).toBeGreaterThan(0);
    expect(match?.[2]).toBe(match?.[1]);
  });

  it('is not printed by default when stderr is not a terminal', async () => {
    const run = await runNode(WAITS_FOR_AGENT, { nodeArgs: ['--require', REGISTER_CJS], env: { OTEL_EXPORTER_PROMETHEUS_PORT: '0', QUERYLENS_STARTUP_LOG: 'on' } });
    expect(run.stderr, 'the server started').toMatch(/listening on/);
    const quiet = await runNode(WAITS_FOR_AGENT, { nodeArgs: ['--require', REGISTER_CJS], env: { OTEL_EXPORTER_PROMETHEUS_PORT: '0' } });
    expect(quiet).toMatchObject({ code: 0, stdout: 'done\n', stderr: '' });
  });

  it('an invalid QUERYLENS_STARTUP_LOG gets the one configuration line', async () => {
    const run = await runNode(EXITS, { nodeArgs: ['--require', REGISTER_CJS], env: { OTEL_EXPORTER_PROMETHEUS_PORT: '0', QUERYLENS_STARTUP_LOG: 'loud' } });
    expect(run.stderr).toBe('querylens: QUERYLENS_STARTUP_LOG="loud" is not valid (accepted: auto, on, off); using the default "auto"\n');
  });
});

describe('the port the agent holds', () => {
  it('when the app fails to listen on it, one line says the agent in the same process holds it', async () => {
    const port = await freePort();
    const run = await runNode(join(APPS, 'listens-on-agent-port.cjs'), {
      nodeArgs: ['--require', REGISTER_CJS],
      env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(port), OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1' },
    });
    // The app's own error is unchanged; the agent adds its line and nothing else.
    expect(run.stdout).toBe('{"listenError":"EADDRINUSE"}\n');
    expect(run.stderr).toBe(`${portHeldLine(port)}\n`);
  });
});

const OLDER_NODE = olderSystemNode();

describe.runIf(OLDER_NODE !== undefined)(`on a Node.js older than ${MIN_NODE_MAJOR} (${OLDER_NODE ?? 'none here'})`, () => {
  it('the agent says so in one line, stays off, and the app runs as without it', () => {
    const env = { ...process.env, OTEL_EXPORTER_PROMETHEUS_PORT: '0', QUERYLENS_STARTUP_LOG: 'on' };
    const bare = spawnSync('/usr/bin/node', [EXITS], { encoding: 'utf8', env });
    const withAgent = spawnSync('/usr/bin/node', ['--require', REGISTER_CJS, EXITS], { encoding: 'utf8', env });
    expect(bare).toMatchObject({ status: 0, stdout: 'done\n', stderr: '' });
    expect(withAgent).toMatchObject({ status: 0, stdout: 'done\n', stderr: `${unsupportedNodeLine(OLDER_NODE ?? '')}\n` });
    const handle = spawnSync('/usr/bin/node', ['--require', REGISTER_CJS, '-p', 'globalThis[Symbol.for("querylens.agent")] === undefined'], { encoding: 'utf8', env });
    expect(handle.stdout).toBe('true\n');
  });
});
