/**
 * When querylens exports spans, an app without an OpenTelemetry SDK of its
 * own may still make spans through the API (a traced background job whose
 * queries the N+1 detector groups by that span). For it, the agent's tracer
 * provider and an AsyncLocalStorage context manager become the process's
 * globals: but only after the app's own start-up has run (its preloads and
 * its main module's top level, which precede the first turn of the event
 * loop), and only where the app has registered none. An app that starts its
 * own SDK keeps its providers and context manager; querylens' spans then
 * follow the app's context.
 */
import { context, trace, type TracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { guarded } from '../core/agentErrors';

/**
 * The API's own registry, shared by every copy of @opentelemetry/api 1.x.
 * Read directly because asking the API to register over an existing entry
 * logs an error through the app's diagnostic logger.
 */
const API_GLOBALS = Symbol.for('opentelemetry.js.api.1');
type ApiGlobals = Partial<Record<'trace' | 'context', unknown>>;

function registered(kind: keyof ApiGlobals): boolean {
  const globals = (globalThis as typeof globalThis & { [API_GLOBALS]?: ApiGlobals })[API_GLOBALS];
  return globals?.[kind] !== undefined;
}

function adoptWhereFree(provider: TracerProvider): void {
  if (!registered('trace')) trace.setGlobalTracerProvider(provider);
  if (!registered('context')) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

export function offerTracingToTheProcess(provider: TracerProvider): void {
  setImmediate(() => guarded('bootstrap', () => adoptWhereFree(provider), undefined)).unref();
}
