/**
 * The one timer behind the history of what takes no clock read per event:
 * pools (checkout waits, and connections in use and callers waiting, which
 * are only known by looking), Redis commands and cache lookups. Every tick
 * samples the pool gauges; a tick in a new minute closes the last one from
 * the totals, so a minute's edge is off by at most one tick. Statements need
 * no timer: each execution carries its end time.
 */
import { reportAgentError } from '../core/agentErrors';

/** How often pool use is sampled, and the most a minute's edge is off by. */
export const HISTORY_SAMPLE_MS = 5000;

export interface HistorySources {
  readonly sample: readonly ((nowMs: number) => void)[];
}

/** Starts sampling; the timer never keeps the process alive. Returns the stop function. */
export function startHistorySampler(sources: HistorySources, intervalMs = HISTORY_SAMPLE_MS): () => void {
  const tick = (): void => {
    const now = Date.now();
    for (const sample of sources.sample) {
      try {
        sample(now);
      } catch (error) {
        reportAgentError('history-sampler', error);
      }
    }
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
