/**
 * The unit of work an N+1 loop is counted in when the statement runs outside
 * an HTTP request: the app's active span. A span is what the app itself calls
 * one job, one handler, one step; it is a distinct object even when it
 * records nothing (a no-op or non-recording span has the all-zero id, and a
 * no-op span under a propagated parent repeats the parent's id), so it is
 * keyed by the object, never by its id.
 *
 * A context without a span is not a unit: a context that only carries
 * baggage spans a whole request or process, and the root context exists once
 * per copy of the OpenTelemetry API, so keying by it would merge the app's
 * unrelated work into one loop. Async resource ancestry would need an
 * async_hooks init hook on every resource and promise, a cost on every call
 * the app makes, not only on its statements.
 *
 * The keys are held weakly: a span that has ended and is no longer referenced
 * is collected with its key, and the detector only ever sees the string.
 */
import type { Span } from '@opentelemetry/api';

const keys = new WeakMap<Span, string>();
let sequence = 0;

export function unitOfWorkKey(span: Span): string {
  let key = keys.get(span);
  if (key === undefined) {
    sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER;
    key = `span-${sequence}`;
    keys.set(span, key);
  }
  return key;
}
