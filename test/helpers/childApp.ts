/**
 * A fixture app that keeps running while the test acts on it: the test reads
 * its JSON stdout lines as they come, writes commands to its stdin, and
 * stops it. runNode (agentProcess.ts) is for apps that run to completion.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { ROOT } from './agentProcess';

export interface ChildAppOptions {
  readonly nodeArgs?: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Working directory (default: the repository). */
  readonly cwd?: string;
  /**
   * A program that starts the app instead of Node.js itself (`npm`, with `script`
   * as its argument). It runs in a process group of its own, and stop() ends the
   * whole group: the launcher and the app it started.
   */
  readonly program?: string;
}

export class ChildApp {
  readonly process: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  private readonly lines: unknown[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly group: boolean;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(script: string, options: ChildAppOptions = {}) {
    this.process = spawn(options.program ?? process.execPath, [...(options.nodeArgs ?? []), script], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, OTEL_SERVICE_NAME: 'querylens-test', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: options.program !== undefined,
    });
    this.group = options.program !== undefined;
    let partial = '';
    this.process.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      this.stdout += text;
      partial += text;
      const complete = partial.split('\n');
      partial = complete.pop() ?? '';
      for (const line of complete) {
        if (!line.startsWith('{')) continue;
        this.lines.push(JSON.parse(line));
        for (const wake of [...this.waiters]) wake();
      }
    });
    this.process.stderr.on('data', (chunk: Buffer) => { this.stderr += chunk.toString(); });
    this.exited = new Promise((resolve) => this.process.on('close', (code, signal) => {
      for (const wake of [...this.waiters]) wake();
      resolve({ code, signal });
    }));
  }

  /** The first JSON line (seen so far or still to come) that `match` accepts. */
  waitForLine<T>(match: (line: T) => boolean, timeoutMs = 20_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = (this.lines as T[]).find(match);
        if (found !== undefined) {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve(found);
          return true;
        }
        if (this.process.exitCode !== null || this.process.signalCode !== null) {
          this.waiters.delete(wake);
          clearTimeout(timer);
          reject(new Error(`the app exited before printing the expected line; stderr: ${this.stderr}`));
          return true;
        }
        return false;
      };
      const wake = (): void => { check(); };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`no matching line within ${timeoutMs} ms; stdout: ${this.stdout.slice(-2000)} stderr: ${this.stderr.slice(-2000)}`));
      }, timeoutMs);
      if (!check()) this.waiters.add(wake);
    });
  }

  /** Sends one command line and waits for the JSON line that answers it (`{ "reply": command, ... }`). */
  async ask<T>(command: string, timeoutMs = 20_000): Promise<T> {
    const seen = this.lines.length;
    this.process.stdin.write(`${command}\n`);
    return this.waitForLine<T & { reply?: string }>((line) => this.lines.indexOf(line) >= seen && line.reply === command, timeoutMs);
  }

  /** Ends the app (SIGTERM, then SIGKILL after `graceMs`), resolving when it is gone. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private signal(name: NodeJS.Signals): void {
    const pid = this.process.pid;
    if (this.group && pid !== undefined) {
      try {
        process.kill(-pid, name);
      } catch {
        // The group is already gone.
      }
    } else {
      this.process.kill(name);
    }
  }
}
