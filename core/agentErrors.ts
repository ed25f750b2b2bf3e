/**
 * The agent's own failures: caught at the edge where they happen, counted by
 * component (querylens_agent_errors_total) and logged once per component, so a
 * broken part of the agent never reaches the app and never floods its stderr.
 */

export interface AgentErrorSummary {
  readonly component: string;
  readonly count: number;
  readonly lastMessage: string;
  readonly lastAt: string;
}

/**
 * Every component that reports its own failures. A fixed list, so the counter can
 * export each at 0 before its first failure: a series born at 1 hides that failure
 * from rate() and increase(), and the alert written for it would never fire.
 */
export const AGENT_COMPONENTS = [
  'bootstrap', 'otlp-flush', 'server',
  'sql-parser', 'sql-analysis', 'sql-rule', 'sql-value-rules',
  'pg-pool', 'pg-query', 'ioredis-patches', 'lru-cache-instrumentation',
  'query-recorder', 'explain', 'slow-query-log', 'history-sampler', 'http-context',
  'cache-metrics', 'cache-load', 'redis-cache-hits', 'tiered-cache', 'tiered-cache-serializer',
] as const;

export type AgentComponent = (typeof AGENT_COMPONENTS)[number];

const errors = new Map<AgentComponent, { count: number; lastMessage: string; lastAt: string }>();

export function reportAgentError(component: AgentComponent, error: unknown): void {
  try {
    const message = error instanceof Error ? error.message : String(error);
    const entry = errors.get(component);
    const lastAt = new Date().toISOString();
    if (entry) {
      entry.count += 1;
      entry.lastMessage = message;
      entry.lastAt = lastAt;
      return;
    }
    errors.set(component, { count: 1, lastMessage: message, lastAt });
    process.stderr.write(`querylens: ${component} failed and was disabled for this call: ${message} (further ${component} errors are counted in querylens_agent_errors_total)\n`);
  } catch {
    // Reporting must never throw into the caller.
  }
}

export function agentErrorSummaries(): AgentErrorSummary[] {
  return [...errors].map(([component, entry]) => ({ component, ...entry }));
}

/** Failures caught so far by `component`; 0 before its first. */
export function agentErrorCount(component: AgentComponent): number {
  return errors.get(component)?.count ?? 0;
}

/** Runs `fn`, reporting and swallowing what it throws; for agent work inside app calls. */
export function guarded<T>(component: AgentComponent, fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (error) {
    reportAgentError(component, error);
    return fallback;
  }
}
