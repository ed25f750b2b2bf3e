/**
 * An app without an OpenTelemetry SDK of its own may still make spans through
 * the API (a background job, a handler); the N+1 detector counts a span's
 * statements together. Without a context manager no span is ever active, so
 * an AsyncLocalStorage context manager becomes the process's global whether
 * or not querylens exports spans (without an exporter the app's spans are
 * no-op ones, still distinct units), and the agent's tracer provider too
 * when it exports spans. Both only after the app's own start-up has run (its
 * preloads and its main module's top level, which precede the first turn of
 * the event loop), and only where the app has registered none. An app that
 * starts its own SDK keeps its providers and context manager; querylens'
 * spans then follow the app's context.
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

function adoptWhereFree(provider: TracerProvider | undefined): void {
  if (provider !== undefined && !registered('trace')) trace.setGlobalTracerProvider(provider);
  if (!registered('context')) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/** `provider`: the agent's tracer provider when it exports spans. */
export function offerTracingToTheProcess(provider: TracerProvider | undefined): void {
  setImmediate(() => guarded('bootstrap', () => adoptWhereFree(provider), undefined)).unref();
}
