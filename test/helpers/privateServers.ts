/**
 * Servers a fault test owns: a private redis-server and a private
 * PostgreSQL cluster on free ports, so a test can stop, freeze and restart
 * them without touching the shared services. Always `destroy()` them
 * (afterAll): processes are killed and directories removed.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'node:net';
import { freePort } from './agentProcess';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const execFileAsync = promisify(execFile);

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

async function waitForPort(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await portAnswers(port)) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
}

export class PrivateRedis {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (again) on the same port. */
  async restart(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: 'ignore' });
    await waitForPort(this.port);
  }

  /** Stops the server (SIGTERM), resolving when it is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    await gone;
  }

  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  destroy(): Promise<void> {
    return this.stop();
  }
}

export class PrivatePostgres {
  private constructor(readonly port: number, private readonly dir: string) {}

  static async start(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'ql-pg-'));
    chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
    const server = new PrivatePostgres(await freePort(), dir);
    try {
      server.asPostgres('initdb', ['-D', server.dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
      await server.restart('start');
    } catch (error) {
      await server.destroy();
      throw error;
    }
    return server;
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private asPostgres(tool: string, args: string[]): string {
    return execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, tool), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /**
   * `pg_ctl start` or `restart -m fast` (terminates every backend), waiting until it accepts
   * connections. Asynchronous, so the test keeps scraping while PostgreSQL restarts.
   */
  async restart(mode: 'start' | 'restart' = 'restart'): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
    const args = mode === 'start'
      ? ['-D', this.dataDir, '-o', options, '-l', join(this.dir, 'log'), '-w', 'start']
      : ['-D', this.dataDir, '-o', options, '-l', join(this.dir, 'log'), '-m', 'fast', '-w', 'restart'];
    await execFileAsync('runuser', ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl'), ...args]);
    await waitForPort(this.port);
  }

  /** `pg_ctl stop -m fast` (terminates every backend), resolving once it is down; `restart('start')` brings it back. */
  async stop(): Promise<void> {
    await execFileAsync('runuser', ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl'), '-D', this.dataDir, '-m', 'fast', '-w', 'stop']);
  }

  /** The postmaster and every child (backends, background workers). */
  processIds(): number[] {
    const postmaster = Number(readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    let children: number[] = [];
    try {
      children = execFileSync('pgrep', ['-P', String(postmaster)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
    } catch {
      children = [];
    }
    return [postmaster, ...children];
  }

  /** SIGSTOP / SIGCONT the whole cluster: a server that stops answering without closing anything. */
  signalAll(signal: 'SIGSTOP' | 'SIGCONT'): void {
    for (const pid of this.processIds()) {
      try {
        process.kill(pid, signal);
      } catch {
        // A backend that ended meanwhile.
      }
    }
  }

  async destroy(): Promise<void> {
    try {
      this.signalAll('SIGCONT');
      this.asPostgres('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Not started, or already stopped.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
