/**
 * What the pool proxy keeps on each client it checked out, and the leak
 * check that reads it: who took the client (call site, sampled; the request
 * or unit of work), when, and whether it has been reported as leaked. One
 * record per client, made when the pool creates the client and reused by
 * every checkout, so no checkout allocates and pg's clients keep their shape.
 */
import { monotonicMs } from '../../core/monotonicClock';
import type { CallSite } from '../../core/callSite';
import type { Attributes } from '@opentelemetry/api';
import type { RequestScope } from '../../core/requestEvents';

/** The pool a client belongs to, as its metrics and findings name it. */
export interface ClientPool {
  readonly name: string;
  readonly attributes: Attributes;
}

export const kCreateStart = Symbol('querylens.pg.createStart');
export const kAcquiredAt = Symbol('querylens.pg.acquiredAt');
export const kCheckout = Symbol('querylens.pg.checkout');

/** A `pool.query` whose execution was not sampled: its statement is not sampled again by the statement hook. */
export const NOT_SAMPLED = Symbol('querylens.pg.notSampled');
export type DispatchedSite = CallSite | typeof NOT_SAMPLED;

export interface CheckoutRecord {
  readonly pool: ClientPool | undefined;
  site: CallSite | undefined;
  scope: RequestScope | undefined;
  /** monotonicMs() when the leak was reported; NaN while it is not. */
  leakedAt: number;
  /** Set by `pool.query` for the one statement it sends on the client it checked out. */
  dispatched: DispatchedSite | undefined;
  /** Checked out by `pool.query`, which releases it itself: held long, it is a slow statement, never a leak. */
  byPoolQuery: boolean;
}

/**
 * Both times are set when the client is created and always hold a double
 * (NaN when unset): a property added later, or a field whose kind changes,
 * gives pg's clients further hidden classes that pg's own property accesses
 * then have to handle.
 */
export interface TrackedClient {
  [kCreateStart]?: number;
  [kAcquiredAt]?: number;
  [kCheckout]?: CheckoutRecord;
}

export function newCheckoutRecord(pool: ClientPool | undefined): CheckoutRecord {
  return { pool, site: undefined, scope: undefined, leakedAt: NaN, dispatched: undefined, byPoolQuery: false };
}

/** The site `pool.query` captured for the statement this client is about to run; read once. */
export function takeDispatchedSite(client: object): DispatchedSite | undefined {
  const record = (client as TrackedClient)[kCheckout];
  const dispatched = record?.dispatched;
  if (dispatched !== undefined) record!.dispatched = undefined;
  return dispatched;
}

/** The pool of a client the pool proxy created; undefined for a client the app made itself. */
export function poolOfClient(client: object): ClientPool | undefined {
  return (client as TrackedClient)[kCheckout]?.pool;
}

/** A client checked out right now, and for how long. */
export interface HeldClient {
  readonly client: TrackedClient;
  readonly record: CheckoutRecord;
  readonly heldMs: number;
}

/** The pool's clients that are checked out now (pg-pool keeps every client in `_clients`). */
export function heldClientsOf(pool: object, nowMonotonic = monotonicMs()): HeldClient[] {
  const clients = (pool as { _clients?: readonly TrackedClient[] })._clients ?? [];
  const held: HeldClient[] = [];
  for (const client of clients) {
    const acquired = client[kAcquiredAt];
    const record = client[kCheckout];
    if (acquired === undefined || Number.isNaN(acquired) || record === undefined) continue;
    held.push({ client, record, heldMs: nowMonotonic - acquired });
  }
  return held;
}
