/**
 * The seam between the request context (capture) and the per-route
 * statistics (recording): statements carry the scope of the request that
 * sent them, and each request that ends is announced once with its route.
 * Like query events, ends wait (bounded) for the recorder the agent loads
 * after capture has begun.
 */

/** A request (or a unit of work the app opened) as statements and checkouts see it. */
export interface RequestScope {
  /** Groups the statements of one unit of work (N+1, the per-request tallies). */
  readonly key: string;
  /** An HTTP request (it will end with a route), not a unit of work the app opened. */
  readonly http: boolean;
  /**
   * `GET /customers/:id/orders`: the framework's route template once it is
   * known, else the method and the normalized path; bounded, with an `other`
   * bucket. Undefined for a unit of work that is not an HTTP request.
   */
  route(): string | undefined;
}

export interface RequestEnd {
  readonly key: string;
  readonly route: string;
  /** ms since epoch */
  readonly endedAt: number;
}

export interface RequestObserver {
  onRequestEnd(end: RequestEnd): void;
}

const observers: RequestObserver[] = [];

/** A start-up's worth of requests; past it they are dropped, as query events are. */
export const MAX_HELD_REQUEST_ENDS = 5_000;

let held: RequestEnd[] | undefined;

/** The recorder will observe, but loads after capture: until it does, ends wait for it. */
export function holdRequestEndsForFirstObserver(): void {
  if (observers.length === 0) held ??= [];
}

export function addRequestObserver(observer: RequestObserver): void {
  observers.push(observer);
  const waiting = held;
  held = undefined;
  if (waiting) for (const end of waiting) observer.onRequestEnd(end);
}

export function hasRequestObservers(): boolean {
  return observers.length > 0 || held !== undefined;
}

export function emitRequestEnd(end: RequestEnd): void {
  if (held !== undefined) {
    if (held.length < MAX_HELD_REQUEST_ENDS) held.push(end);
    return;
  }
  for (const observer of observers) observer.onRequestEnd(end);
}
