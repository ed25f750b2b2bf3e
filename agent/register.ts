/**
 * `node --require querylens/register app.js` (or `app.mjs`): starts the agent
 * before the app loads. For an app whose main file runs as an ES module it
 * first installs the ESM loader hook, as `--import querylens/register` does.
 */
import type * as Start from './start';
import type * as MainFormat from './mainFormat';
import type * as EsmLoaderHook from './esmLoaderHook';
import { agentWanted } from './preloadGate';
import { agentOffLine } from './agentOff';
import { threadRole } from '../core/threadRole';

function preload(): void {
  if ((require('./mainFormat') as typeof MainFormat).mainRunsAsEsModule(process.argv[1])) {
    (require('./esmLoaderHook') as typeof EsmLoaderHook).installEsmLoaderHook();
  }
  (require('./start') as typeof Start).startAgent();
}

try {
  // Loaded inside try: even a broken install must not stop the app from starting.
  // Node.js's own loader thread runs `--require` preloads too (Node.js 22.14+): nothing to do there.
  if (!threadRole().nodeInternal && agentWanted()) preload();
} catch (error) {
  process.stderr.write(agentOffLine(error));
}
