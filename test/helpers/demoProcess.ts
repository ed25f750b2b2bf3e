/**
 * `npm run demo` as a user runs it, after the build: the launcher
 * (examples/demo/run.cjs) in a child process, on free ports, with the
 * environment a test gives it. Shared by the demo tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, freePort } from './agentProcess';
import { find, parseSamples } from './promText';
import { waitFor } from './waitFor';

export interface DemoProcess {
  readonly agentPort: number;
  /** The demo service's own port (its routes, `/customer-email`…). */
  readonly demoPort: number;
  stdout(): string;
  stderr(): string;
  /** Sum of the scraped samples of one metric that carry these labels. */
  scrapedTotal(metric: string, labels: Readonly<Record<string, string>>): Promise<number>;
  /** Ctrl-C: resolves to the launcher's exit code, or 'still running' after 15 s. */
  interrupt(): Promise<number | null | 'still running'>;
  /** Ends the launcher for good (afterAll). */
  kill(): void;
}

export async function startDemo(env: Readonly<Record<string, string>>): Promise<DemoProcess> {
  const [demoPort, agentPort] = [await freePort(), await freePort()];
  let stdout = '';
  let stderr = '';
  const launcher: ChildProcess = spawn(process.execPath, [join(ROOT, 'examples', 'demo', 'run.cjs')], {
    cwd: ROOT,
    env: {
      ...process.env,
      DEMO_PORT: String(demoPort),
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(agentPort),
      OTEL_SERVICE_NAME: 'querylens-demo-test',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  launcher.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  launcher.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => launcher.on('close', (code) => resolve(code)));
  await waitFor('the demo to print its URLs', () => (stdout.includes('/querylens\n') ? true : undefined), 40_000, 200)
    .catch((error: Error) => { throw new Error(`${error.message}\nstdout: ${stdout}\nstderr: ${stderr}`); });
  return {
    agentPort,
    demoPort,
    stdout: () => stdout,
    stderr: () => stderr,
    scrapedTotal: async (metric, labels) => {
      const text = await (await fetch(`http://127.0.0.1:${agentPort}/metrics`)).text();
      return find(parseSamples(text), metric, labels).reduce((sum, sample) => sum + sample.value, 0);
    },
    interrupt: () => {
      launcher.kill('SIGINT');
      return Promise.race([exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 15_000))]);
    },
    kill: () => {
      if (launcher.exitCode === null) launcher.kill('SIGKILL');
    },
  };
}
