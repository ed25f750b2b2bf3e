/**
 * The one line a process gets when the agent cannot start at all (a broken
 * install, a preload that throws): the app then runs without it.
 */
export function agentOffLine(error: unknown): string {
  return `querylens: the agent could not start and is off for this process: ${error instanceof Error ? error.message : String(error)}\n`;
}
