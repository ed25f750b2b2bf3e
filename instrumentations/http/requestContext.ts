/**
 * A request context without tracing: each incoming HTTP request gets an id,
 * carried through its async work by AsyncLocalStorage, so statements of one
 * request can be grouped (N+1 detection) even when no span is made. Node
 * publishes `http.server.request.start` just before it emits 'request', in
 * the same synchronous frame, so entering the store there reaches the handler.
 * Work that is not a request (a job, a queue message, a tick) gets the same
 * through `runInUnitOfWork`, the `unitOfWork` of querylens' API.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import { appWorkBegan, appWorkEnded } from '../../core/appWork';

interface RequestContext {
  readonly id: string;
}

const storage = new AsyncLocalStorage<RequestContext>();
let sequence = 0;
let tracking = false;

function onRequestStart(): void {
  sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER;
  storage.enterWith({ id: `req-${sequence}` });
  appWorkBegan();
}

export function trackHttpRequests(): void {
  if (tracking) return;
  tracking = true;
  subscribe('http.server.request.start', onRequestStart);
  // A request is the app's work in flight until its response is sent (core/appWork.ts).
  subscribe('http.server.response.finish', appWorkEnded);
}

/** Runs `work` as one unit of work of its own: its statements are grouped apart from any other's. */
export function runInUnitOfWork<T>(work: () => T): T {
  sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER;
  return storage.run({ id: `unit-${sequence}` }, work);
}

export function currentRequestKey(): string | undefined {
  return storage.getStore()?.id;
}
