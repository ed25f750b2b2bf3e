/**
 * The call site of the statement being sent, for the span the upstream pg
 * instrumentation makes beneath our hook in the same synchronous call
 * (upstreamSpans.ts sets `code.*` from it). Set only around that call, and
 * only for executions whose call site was captured.
 */
import type { CallSite } from '../../core/callSite';

let sending: CallSite | undefined;

export function sendingWithCallSite<T>(site: CallSite, send: () => T): T {
  const outer = sending;
  sending = site;
  try {
    return send();
  } finally {
    sending = outer;
  }
}

export function callSiteBeingSent(): CallSite | undefined {
  return sending;
}
