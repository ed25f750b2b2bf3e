/**
 * Installs OpenTelemetry's ESM loader hook (import-in-the-middle), through
 * which ES-module imports of pg, ioredis and lru-cache reach the
 * instrumentations (the module hook's `hookImportsWith`, core/moduleHook.ts).
 * Once per process however many entries or copies of querylens ask: a second
 * hook would wrap every module twice.
 *
 * Where Node.js runs loader hooks in the app's own thread
 * (`module.registerHooks`, with the fix import-in-the-middle needs), the hook
 * runs there and intercepts only the instrumented packages. Elsewhere it is
 * `module.register`, whose loader thread costs the start 100–160 ms on this
 * project's machine and sees every module.
 */
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { INSTRUMENTED_PACKAGES } from '../core/instrumentedPackages';
import { hookImportsWith } from '../core/moduleHook';
import { reportAgentError } from '../core/agentErrors';
import { threadRole } from '../core/threadRole';

const HOOK_KEY = Symbol.for('querylens.esmLoaderHook');
type GlobalWithHook = typeof globalThis & { [HOOK_KEY]?: true };

type HookClass = new (modules: string[], options: { internals: boolean }, hookFn: (namespace: unknown, name: string, baseDir: string | undefined) => unknown) => unknown;

/**
 * import-in-the-middle as @opentelemetry/instrumentation's copy of it: the
 * loader hook below comes from that copy, and only Hooks made with the same
 * copy see what it intercepts.
 */
function fromInstrumentation(id: string): unknown {
  return createRequire(require.resolve('@opentelemetry/instrumentation'))(id);
}

/** Its in-thread hook, after its version check: the hook's own modules take 40–55 ms to load, for nothing where it cannot run. */
function registerInThread(): boolean {
  try {
    const { supportsSyncHooks } = fromInstrumentation('import-in-the-middle/supports-sync-hooks.mjs') as { supportsSyncHooks?: () => boolean };
    if (supportsSyncHooks?.() !== true) return false;
    const { register: registerHooks } = fromInstrumentation('import-in-the-middle/register-hooks.mjs') as { register?: (options: { include: string[] }) => void };
    if (registerHooks === undefined) return false;
    registerHooks({ include: [...INSTRUMENTED_PACKAGES] });
    return true;
  } catch {
    // An import-in-the-middle without in-thread hooks, or one that refused them: the loader thread below.
    return false;
  }
}

export function installEsmLoaderHook(): void {
  const holder = globalThis as GlobalWithHook;
  // Node.js runs `--require` preloads again inside its loader thread; the hook belongs to the main thread only.
  if (holder[HOOK_KEY] || !threadRole().main) return;
  holder[HOOK_KEY] = true;
  try {
    if (!registerInThread()) register('@opentelemetry/instrumentation/hook.mjs', pathToFileURL(__filename));
    const { Hook } = fromInstrumentation('import-in-the-middle') as { Hook: HookClass };
    hookImportsWith((names, onImport) => new Hook([...names], { internals: false }, onImport));
  } catch (error) {
    // The app starts all the same (`--import` has no other guard); its ES-module imports go uninstrumented, counted and said once.
    reportAgentError('bootstrap', error);
  }
}
