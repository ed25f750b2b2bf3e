import { monotonicMs } from '../core/monotonicClock';
/**
 * Caps the time the hot path spends analysing new statement texts. A service
 * that builds SQL with inline literals sends a new text on every call; each
 * costs a parse and the rules (hundreds of microseconds), so without a cap the
 * agent would slow such a service without bound. Within each window at most
 * `maxMsPerWindow` are spent; beyond it, texts are grouped by a hash until the
 * next window (and analysed then, since such results are not cached).
 */

export interface AnalysisBudgetOptions {
  readonly maxMsPerWindow: number;
  readonly windowMs: number;
  readonly now?: () => number;
}

export class AnalysisBudget {
  private readonly now: () => number;
  private windowStart = -Infinity;
  private spentMs = 0;
  /** Analyses refused because the window's time was spent. */
  deferred = 0;

  constructor(private readonly options: AnalysisBudgetOptions) {
    this.now = options.now ?? monotonicMs;
  }

  /** The current time if an analysis may start now, else undefined (and counted). */
  begin(): number | undefined {
    const now = this.now();
    if (now - this.windowStart >= this.options.windowMs) {
      this.windowStart = now;
      this.spentMs = 0;
    }
    if (this.spentMs < this.options.maxMsPerWindow) return now;
    this.deferred += 1;
    return undefined;
  }

  end(startedAt: number): void {
    this.spentMs += this.now() - startedAt;
  }
}
