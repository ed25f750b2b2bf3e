/**
 * Marks the agent's own statements (automatic EXPLAIN and its session
 * settings) so the pg statement hook never records them: a symbol on the
 * query config object, registered globally so two copies of the agent agree.
 */
const AGENT_QUERY = Symbol.for('querylens.agentQuery');

export interface AgentQueryConfig {
  readonly text: string;
  readonly values?: unknown[];
  readonly [AGENT_QUERY]: true;
}

export function agentQuery(text: string, values?: readonly unknown[]): AgentQueryConfig {
  return values === undefined ? { text, [AGENT_QUERY]: true } : { text, values: [...values], [AGENT_QUERY]: true };
}

/** For the pg hook: `PgInstrumentation({ isAgentQuery })`, tested on the first argument of `client.query`. */
export function isAgentQuery(firstArg: unknown): boolean {
  return typeof firstArg === 'object' && firstArg !== null && (firstArg as { [AGENT_QUERY]?: unknown })[AGENT_QUERY] === true;
}
