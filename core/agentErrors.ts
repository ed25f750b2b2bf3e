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

/** Components are a fixed vocabulary in code, so this map stays small. */
const errors = new Map<string, { count: number; lastMessage: string; lastAt: string }>();

export function reportAgentError(component: string, error: unknown): void {
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

/** Runs `fn`, reporting and swallowing what it throws; for agent work inside app calls. */
export function guarded<T>(component: string, fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (error) {
    reportAgentError(component, error);
    return fallback;
  }
}
