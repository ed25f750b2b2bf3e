/**
 * A child process driven over IPC by its test: each `send(op, args)` is one
 * message, answered by one reply with the same id (the fixture replies with
 * `{ id, error }` when the operation threw). The fixture sends `{ id: 0 }`
 * once it is ready.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { ROOT } from './agentProcess';

export interface WorkerReply {
  readonly error?: string;
}

export class IpcWorker<Reply extends WorkerReply> {
  readonly #child: ChildProcess;
  readonly #waiting = new Map<number, (reply: Reply) => void>();
  #next = 1;
  readonly started: Promise<void>;
  readonly exited: Promise<void>;

  constructor(script: string, options: { readonly execArgv?: string[]; readonly env: NodeJS.ProcessEnv }) {
    this.#child = fork(script, [], { cwd: ROOT, execArgv: options.execArgv ?? [], env: options.env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.exited = new Promise((resolve) => this.#child.once('exit', () => resolve()));
    this.started = new Promise((resolve) => {
      this.#child.on('message', (message: { id: number } & Reply) => {
        if (message.id === 0) resolve();
        this.#waiting.get(message.id)?.(message);
        this.#waiting.delete(message.id);
      });
    });
  }

  async send(op: string, args: Record<string, unknown> = {}): Promise<Reply> {
    await this.started;
    const id = this.#next++;
    const reply = await new Promise<Reply>((resolve) => {
      this.#waiting.set(id, resolve);
      this.#child.send({ id, op, ...args });
    });
    if (reply.error !== undefined) throw new Error(reply.error);
    return reply;
  }

  /** Ends the child without letting it clean up (a crash), resolving when it is gone. */
  async crash(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
    await this.exited;
  }
}
