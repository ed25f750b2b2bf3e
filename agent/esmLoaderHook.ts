/**
 * Installs OpenTelemetry's ESM loader hook (import-in-the-middle), through
 * which ES-module imports of pg and ioredis reach the instrumentations. Once
 * per process however many entries or copies of querylens ask: a second hook
 * would wrap every module twice.
 */
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

const HOOK_KEY = Symbol.for('querylens.esmLoaderHook');
type GlobalWithHook = typeof globalThis & { [HOOK_KEY]?: true };

export function installEsmLoaderHook(): void {
  const holder = globalThis as GlobalWithHook;
  // Node.js runs `--require` preloads again inside its loader thread; the hook belongs to the main thread only.
  if (holder[HOOK_KEY] || !isMainThread) return;
  holder[HOOK_KEY] = true;
  register('@opentelemetry/instrumentation/hook.mjs', pathToFileURL(__filename));
}
