/**
 * A long-running child process (Prometheus, Alertmanager, a fixture app) whose output is
 * kept for failure messages and which is stopped by its own pid, never by name.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface Daemon {
  readonly name: string;
  readonly child: ChildProcessWithoutNullStreams;
  /** stdout and stderr so far. */
  output(): string;
  send(line: string): void;
  stop(): Promise<void>;
}

export function startDaemon(name: string, command: string, args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Daemon {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: 'pipe' });
  let output = '';
  const keep = (chunk: Buffer) => { output += chunk.toString(); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    child,
    output: () => output,
    send: (line) => { child.stdin.write(`${line}\n`); },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}
