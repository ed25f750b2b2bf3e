/**
 * Which executions pay for a stack capture: the first FIRST_SAMPLES of each
 * statement text, then one in SAMPLE_EVERY, so a statement sent from a few
 * places is found on its first executions and a place that starts sending it
 * later is found within a few thousand. A counter per text, bounded: past
 * MAX_TEXTS the counts start over (every text gets its first samples again).
 */
export const FIRST_SAMPLES = 8;
export const SAMPLE_EVERY = 1024;
export const MAX_TEXTS = 5000;

export class CallSiteSampler {
  private readonly seen = new Map<string, number>();

  constructor(private readonly enabled: boolean) {}

  shouldCapture(key: string): boolean {
    if (!this.enabled) return false;
    const count = this.seen.get(key);
    if (count === undefined) {
      if (this.seen.size >= MAX_TEXTS) this.seen.clear();
      this.seen.set(key, 1);
      return true;
    }
    this.seen.set(key, count + 1);
    return count < FIRST_SAMPLES || count % SAMPLE_EVERY === 0;
  }
}
