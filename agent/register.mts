/**
 * `node --import querylens/register app.mjs`: installs the ESM loader hook so
 * ES-module imports of pg and ioredis can be instrumented, whatever the main
 * file, then starts the same agent as the CommonJS entry. A process the agent
 * stays off in (npm, the CLI, an unsupported Node.js) gets no loader hook
 * either.
 */
import { createRequire } from 'node:module';
import type * as Gate from './preloadGate.js';
import type * as EsmLoaderHook from './esmLoaderHook.js';

const require = createRequire(import.meta.url);
if ((require('./preloadGate.js') as typeof Gate).agentWanted()) {
  (require('./esmLoaderHook.js') as typeof EsmLoaderHook).installEsmLoaderHook();
  require('./register.js');
}
