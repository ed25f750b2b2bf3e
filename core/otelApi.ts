/**
 * The OpenTelemetry API as capture reads it: loaded once the process has set
 * one of the API's globals, not before. The API keeps its globals (context
 * manager, tracer provider, propagator, logger) under one symbol on
 * globalThis; until something registers one, the active context is the root
 * context, which holds no span, and every tracer hands out no-op spans.
 * Capture looks at that symbol to learn so, rather than load the API (about
 * 10 ms at the app's start) to be told. Once the symbol is there the API is
 * loaded at capture's next look, inside the app's call (it is usually
 * loaded already: by the app that set the global, or by the agent's own SDK
 * stage); an API that cannot load is counted, and capture goes on without it.
 */
import type * as Api from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { reportAgentError } from './agentErrors';

/** Where the API (major version 1, this package's) keeps its globals. */
const API_GLOBALS = Symbol.for('opentelemetry.js.api.1');

let loaded: typeof Api | undefined;
let unloadable = false;

/** The API, loaded now if it is not yet (where spans are made, which needs it). */
export function otelApi(): typeof Api {
  loaded ??= require('@opentelemetry/api') as typeof Api;
  return loaded;
}

/** The API once any of its globals is set; undefined before, when it would answer "nothing" to every question capture asks. */
export function otelApiInUse(): typeof Api | undefined {
  if (loaded !== undefined) return loaded;
  if (unloadable || (globalThis as Record<symbol, unknown>)[API_GLOBALS] === undefined) return undefined;
  try {
    return otelApi();
  } catch (error) {
    unloadable = true;
    reportAgentError('bootstrap', error);
    return undefined;
  }
}

/** The span active where this is called, if any. */
export function activeSpan(): Span | undefined {
  const api = otelApiInUse();
  return api === undefined ? undefined : api.trace.getSpan(api.context.active());
}
