/** `node --require querylens/register app.js`: starts the agent before the app loads. */
import type * as Start from './start';
import { agentWanted } from './preloadGate';

try {
  // Loaded inside try: even a broken install must not stop the app from starting.
  if (agentWanted()) (require('./start') as typeof Start).startAgent();
} catch (error) {
  process.stderr.write(`querylens: the agent could not start and is off for this process: ${error instanceof Error ? error.message : String(error)}\n`);
}
