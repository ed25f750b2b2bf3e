/**
 * A request context without tracing: each incoming HTTP request gets a
 * scope, carried through its async work by AsyncLocalStorage, so statements
 * of one request can be grouped (N+1 detection) and attributed to its route
 * even when no span is made. Node publishes `http.server.request.start` just
 * before it emits 'request', in the same synchronous frame, so entering the
 * store there reaches the handler; `http.server.response.finish` announces
 * the request's end with its route (core/requestEvents.ts). Work that is not
 * a request (a job, a queue message, a tick) gets a scope through
 * `runInUnitOfWork`, the `unitOfWork` of querylens' API.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import { appWorkBegan, appWorkEnded } from '../../core/appWork';
import { emitRequestEnd, hasRequestObservers, type RequestScope } from '../../core/requestEvents';
import { reportAgentError } from '../../core/agentErrors';
import { expressTemplate, type RoutedRequest } from './routeTemplate';
import { normalizeRoutePath } from './routePath';
import { routeLabel } from './routeLabels';

class HttpRequestScope implements RequestScope {
  readonly http: boolean;
  private template: string | undefined;
  /** The normalized path, read once: routers rewrite `req.url` while they route. */
  private normalized: string | undefined;

  constructor(readonly key: string, private readonly request: RoutedRequest | undefined) {
    this.http = request !== undefined;
  }

  route(): string | undefined {
    const request = this.request;
    if (request === undefined) return undefined;
    if (this.template !== undefined) return this.template;
    const template = expressTemplate(request);
    if (template !== undefined) {
      this.template = routeLabel(request.method, template);
      return this.template;
    }
    this.normalized ??= routeLabel(request.method, normalizeRoutePath(request.url ?? '/'));
    return this.normalized;
  }
}

interface ServerRequestMessage {
  readonly request?: RoutedRequest;
}

const storage = new AsyncLocalStorage<RequestScope>();
/** The scope of each request in flight, found again when its response finishes (outside the request's async context). */
const scopes = new WeakMap<object, HttpRequestScope>();
let sequence = 0;
let tracking = false;

function onRequestStart(message: unknown): void {
  sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER;
  const request = (message as ServerRequestMessage | undefined)?.request;
  const scope = new HttpRequestScope(`req-${sequence}`, request);
  if (request !== undefined) scopes.set(request, scope);
  storage.enterWith(scope);
  appWorkBegan();
}

function onResponseFinish(message: unknown): void {
  appWorkEnded();
  try {
    const request = (message as ServerRequestMessage | undefined)?.request;
    const scope = request === undefined ? undefined : scopes.get(request);
    if (scope === undefined || !hasRequestObservers()) return;
    const route = scope.route();
    if (route !== undefined) emitRequestEnd({ key: scope.key, route, endedAt: Date.now() });
  } catch (error) {
    reportAgentError('http-context', error);
  }
}

export function trackHttpRequests(): void {
  if (tracking) return;
  tracking = true;
  subscribe('http.server.request.start', onRequestStart);
  // A request is the app's work in flight until its response is sent (core/appWork.ts).
  subscribe('http.server.response.finish', onResponseFinish);
}

/** Runs `work` as one unit of work of its own: its statements are grouped apart from any other's. */
export function runInUnitOfWork<T>(work: () => T): T {
  sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER;
  return storage.run(new HttpRequestScope(`unit-${sequence}`, undefined), work);
}

export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}

export function currentRequestKey(): string | undefined {
  return storage.getStore()?.key;
}
