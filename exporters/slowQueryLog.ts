/**
 * The slow-query log: one JSON line per statement slower than
 * QUERYLENS_SLOW_QUERY_MS, to stderr, to a file (appended), or nowhere.
 *
 * It never blocks the app: lines are written asynchronously (stderr too: through
 * an fs stream on fd 2, because `process.stderr` writes synchronously to
 * pipes and files on Linux), and at most
 * `maxPendingBytes` may wait for the destination; beyond that lines are
 * dropped and counted (`dropped`), since a slow disk must not become a
 * memory leak or a stall. Entries carry normalized text only.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { reportAgentError } from '../core/agentErrors';
import type { CallSite } from '../core/callSite';

export interface SlowQueryLogEntry {
  /** ISO 8601 end time. */
  readonly time: string;
  readonly fingerprint: string;
  /** Normalized text: constants replaced by `$n`. */
  readonly query: string;
  readonly durationMs: number;
  readonly rows: number | undefined;
  readonly traceId: string | undefined;
  /** The HTTP route that sent it (`GET /customers/:id`), when it came from a request. */
  readonly route?: string | undefined;
  /** The app's code that sent it: this execution's, when sampled, else the statement's most sampled one. */
  readonly callSite?: CallSite | undefined;
  /** Rule ids of the findings of this statement. */
  readonly findings: readonly string[];
  /** One-line summary of the statement's last EXPLAIN plan, when known. */
  readonly plan: string | undefined;
}

export interface SlowQueryLog {
  readonly destination: string;
  write(entry: SlowQueryLogEntry): void;
  /** Lines written so far, and lines dropped because the destination was behind. */
  stats(): { readonly written: number; readonly dropped: number };
  close(): Promise<void>;
}

export const DEFAULT_MAX_PENDING_BYTES = 1024 * 1024;

export interface SlowQueryLogOptions {
  readonly maxPendingBytes?: number;
}

const OFF: SlowQueryLog = {
  destination: 'off',
  write: () => undefined,
  stats: () => ({ written: 0, dropped: 0 }),
  close: () => Promise.resolve(),
};

/** `off`, `stderr`, or a file path (created if missing, appended to). */
export function createSlowQueryLog(destination: string, options: SlowQueryLogOptions = {}): SlowQueryLog {
  if (destination === 'off') return OFF;
  const maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
  const toFile = destination !== 'stderr';
  const stream: Writable = toFile
    ? createWriteStream(destination, { flags: 'a' })
    : createWriteStream('', { fd: 2, autoClose: false });
  let broken = false;
  let written = 0;
  let dropped = 0;
  stream.on('error', (error) => {
    broken = true;
    reportAgentError('slow-query-log', error);
  });
  return {
    destination,
    write(entry) {
      const line = `${JSON.stringify(entry)}\n`;
      if (broken || stream.writableLength + line.length > maxPendingBytes) {
        dropped += 1;
        return;
      }
      written += 1;
      stream.write(line);
    },
    stats: () => ({ written, dropped }),
    close: () => new Promise<void>((resolve) => {
      if (broken) resolve();
      else stream.end(() => resolve());
    }),
  };
}
