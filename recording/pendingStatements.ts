/**
 * Statements that finished before the SQL parser was ready wait here, as
 * their text and a callback that records them, until it is; then they are
 * analysed a slice of a few milliseconds per turn of the event loop, so the
 * catch-up never holds the app up. Bounded by count and by characters of
 * text: a flood before the parser loads is counted as dropped, not kept. The
 * texts stay in memory only, as the statement cache's keys do.
 */
import { monotonicMs } from '../core/monotonicClock';
import type { StatementAnalysis } from '../core/statementAnalysis';

export interface PendingLimits {
  readonly maxStatements: number;
  readonly maxTextChars: number;
}

/** The first seconds of a busy service: a few thousand statements, most of them the same few texts. */
export const DEFAULT_PENDING_LIMITS: PendingLimits = { maxStatements: 5_000, maxTextChars: 2_000_000 };

/** Analysis time per turn of the event loop while catching up. */
const SLICE_MS = 2;

interface Pending {
  readonly text: string;
  readonly record: (analysis: StatementAnalysis) => void;
}

export class PendingStatements {
  private queue: Pending[] = [];
  private textChars = 0;
  private droppedCount = 0;

  constructor(private readonly limits: PendingLimits = DEFAULT_PENDING_LIMITS) {}

  /** Queues `text`; false (and counted as dropped) when the queue is full. */
  add(text: string, record: (analysis: StatementAnalysis) => void): boolean {
    if (this.queue.length >= this.limits.maxStatements || this.textChars + text.length > this.limits.maxTextChars) {
      this.droppedCount += 1;
      return false;
    }
    this.queue.push({ text, record });
    this.textChars += text.length;
    return true;
  }

  get size(): number {
    return this.queue.length;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  /** Empties the queue into `add`, oldest first (another queue taking these statements over). */
  handOver(add: (text: string, record: (analysis: StatementAnalysis) => void) => void): void {
    const queued = this.queue;
    this.queue = [];
    this.textChars = 0;
    for (const { text, record } of queued) add(text, record);
  }

  /**
   * Analyses and records every queued statement, `SLICE_MS` per turn of the
   * event loop from the next one on; resolves when none is left. `analyze` answers undefined only
   * while the parser is not ready, which a caller draining after it is ready
   * never sees; such a statement is dropped rather than retried forever.
   */
  drain(analyze: (text: string) => StatementAnalysis | undefined, onError: (error: unknown) => void): Promise<void> {
    return new Promise((resolve) => {
      const slice = (): void => {
        const until = monotonicMs() + SLICE_MS;
        do {
          const next = this.queue.shift();
          if (next === undefined) break;
          this.textChars -= next.text.length;
          this.recordOne(next, analyze, onError);
        } while (monotonicMs() < until);
        if (this.queue.length === 0) resolve();
        else schedule();
      };
      // Unref'd: catching up never keeps a finished app alive (a caller that needs it done holds the loop itself).
      const schedule = (): void => {
        setImmediate(slice).unref();
      };
      schedule();
    });
  }

  private recordOne(pending: Pending, analyze: (text: string) => StatementAnalysis | undefined, onError: (error: unknown) => void): void {
    try {
      const analysis = analyze(pending.text);
      if (analysis === undefined) this.droppedCount += 1;
      else pending.record(analysis);
    } catch (error) {
      onError(error);
    }
  }
}
