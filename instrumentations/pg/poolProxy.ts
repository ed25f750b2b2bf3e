/**
 * The pool proxy: a subclass of pg-pool's Pool that registers every pool for
 * the observable gauges and times checkouts, connection creation and use.
 * A subclass keeps `instanceof`, events, getters, callbacks and promises of
 * the original intact; pg's own `BoundPool` extends it unchanged.
 */
import { monotonicMs } from '../../core/monotonicClock';
import type { Attributes, Counter } from '@opentelemetry/api';
import type { DatabaseHistogram } from '../../core/metrics/preAggregatedHistogram';
import { reportAgentError } from '../../core/agentErrors';
import { appWorkBegan, appWorkEnded } from '../../core/appWork';
import type { CallSite } from '../../core/callSite';
import type { RequestScope } from '../../core/requestEvents';
import { basePoolName, resolvePoolTarget } from './poolName';
import type { PoolRegistry, TrackedPool } from './poolRegistry';
import { NOT_SAMPLED, kAcquiredAt, kCheckout, kCreateStart, newCheckoutRecord, type DispatchedSite, type TrackedClient } from './checkouts';
import type { ConnectionParametersClass, NodeCallback, PgClientLike, PgPoolLike, PoolClass } from './types';

export interface PoolInstruments {
  waitTime: DatabaseHistogram;
  createTime: DatabaseHistogram;
  useTime: DatabaseHistogram;
  timeouts: Counter<Attributes>;
  /** Clients reported held past QUERYLENS_POOL_LEAK_MS. */
  leaks: Counter<Attributes>;
  /** The per-pool counters exported at 0 from the pool's start: a first event on a series born at 1 is no increase to rate(). */
  startAtZero: readonly Counter<Attributes>[];
}

/** Who checks a client out: the app's call site (sampled) and its request. */
export interface CheckoutCallers {
  /** Whether this `pool.query` text's execution is sampled for its call site. */
  readonly sampleStatement: (text: string) => boolean;
  /** The app's call site above `skip`; undefined when call sites are off or no frame is the app's. */
  readonly callSite: (skip: (...args: never[]) => unknown) => CallSite | undefined;
  readonly requestScope: () => RequestScope | undefined;
}

export interface PoolProxyDeps {
  readonly registry: PoolRegistry;
  readonly instruments: () => PoolInstruments;
  readonly connectionParameters: () => ConnectionParametersClass | undefined;
  readonly callers: CheckoutCallers;
}

type TimedClient = PgClientLike & TrackedClient;

/** pg-pool's checkout timeout and the pool's connection-timeout teardown. */
function isCheckoutTimeout(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.message === 'timeout exceeded when trying to connect'
    || error.message === 'Connection terminated due to connection timeout';
}

function secondsSince(startMs: number): number {
  return (monotonicMs() - startMs) / 1000;
}

function trackPool(pool: PgPoolLike, deps: PoolProxyDeps): void {
  try {
    const target = resolvePoolTarget(pool.options, deps.connectionParameters());
    const tracked = deps.registry.track(pool, basePoolName(pool.options, target), target);
    for (const counter of deps.instruments().startAtZero) counter.add(0, tracked.attributes);
    pool.on('connect', (client: TimedClient) => recordCreate(client, tracked, deps));
    pool.on('release', (_error: unknown, client: TimedClient) => recordUse(client, tracked, deps));
  } catch (error) {
    reportAgentError('pg-pool', error);
  }
}

// The pool's listeners run inside pg-pool's emit: agent errors must not reach it.
function recordCreate(client: TimedClient, tracked: TrackedPool, deps: PoolProxyDeps): void {
  const started = client[kCreateStart];
  if (started === undefined || Number.isNaN(started)) return;
  client[kCreateStart] = NaN;
  try {
    deps.instruments().createTime.record(secondsSince(started), tracked.attributes);
  } catch (error) {
    reportAgentError('pg-pool', error);
  }
}

function recordUse(client: TimedClient | undefined, tracked: TrackedPool, deps: PoolProxyDeps): void {
  const acquired = client?.[kAcquiredAt];
  if (client === undefined || acquired === undefined || Number.isNaN(acquired)) return;
  client[kAcquiredAt] = NaN;
  try {
    const record = client[kCheckout];
    if (record !== undefined) deps.registry.released(tracked, record, monotonicMs() - acquired);
    deps.instruments().useTime.record(secondsSince(acquired), tracked.attributes);
  } catch (error) {
    reportAgentError('pg-pool', error);
  }
}

/**
 * The checkout's callback is where the wait ends and the use begins (for a
 * pool with `verify`, after the check): one clock read serves both, and no
 * `acquire` listener is needed.
 */
function recordCheckout(pool: PgPoolLike, checkout: Checkout, error: unknown, client: unknown, deps: PoolProxyDeps): void {
  const tracked = deps.registry.get(pool);
  if (!tracked) return;
  const instruments = deps.instruments();
  const { started } = checkout;
  if (error === undefined || error === null) {
    const acquired = monotonicMs();
    // Only on clients our newClient set up (not adding the property elsewhere).
    const timed = client as TimedClient | undefined;
    if (timed?.[kAcquiredAt] !== undefined) timed[kAcquiredAt] = acquired;
    const record = timed?.[kCheckout];
    if (record !== undefined) {
      record.site = checkout.site;
      record.scope = checkout.scope;
      record.leakedAt = NaN;
      record.dispatched = checkout.dispatched;
      record.byPoolQuery = checkout.dispatched !== undefined;
    }
    const waited = (acquired - started) / 1000;
    instruments.waitTime.record(waited, tracked.attributes);
    tracked.waits.record(waited * 1000);
  } else if (isCheckoutTimeout(error)) {
    instruments.timeouts.add(1, tracked.attributes);
  }
}

/** What is known when the app asks for a client. */
interface Checkout {
  readonly started: number;
  readonly site: CallSite | undefined;
  readonly scope: RequestScope | undefined;
  /** For `pool.query`'s own checkout: the site of its statement, handed to the statement hook. */
  readonly dispatched: DispatchedSite | undefined;
}

/**
 * `pool.query` checks a client out through `connect` in the same synchronous
 * call: set for that moment, so its checkout is known as the statement's.
 */
let dispatching: DispatchedSite | undefined;

function checkoutOf(pool: PgPoolLike, skip: (...args: never[]) => unknown, deps: PoolProxyDeps): Checkout {
  const dispatched = dispatching;
  dispatching = undefined;
  const started = monotonicMs();
  try {
    const scope = deps.callers.requestScope();
    if (dispatched !== undefined) return { started, site: dispatched === NOT_SAMPLED ? undefined : dispatched, scope, dispatched };
    const tracked = deps.registry.get(pool);
    const site = tracked !== undefined && deps.registry.sampleCheckout(tracked) ? deps.callers.callSite(skip) : undefined;
    return { started, site, scope, dispatched: undefined };
  } catch (error) {
    reportAgentError('pg-pool', error);
    return { started, site: undefined, scope: undefined, dispatched: undefined };
  }
}

function textOf(first: unknown): string | undefined {
  if (typeof first === 'string') return first;
  const text = typeof first === 'object' && first !== null ? (first as { text?: unknown }).text : undefined;
  return typeof text === 'string' ? text : undefined;
}

/** The call site of a `pool.query` statement, read where the app called it (its checkout may complete later, off this stack). */
function dispatchedSiteOf(first: unknown, skip: (...args: never[]) => unknown, deps: PoolProxyDeps): DispatchedSite {
  try {
    const text = textOf(first);
    if (text === undefined || !deps.callers.sampleStatement(text)) return NOT_SAMPLED;
    return deps.callers.callSite(skip) ?? NOT_SAMPLED;
  } catch (error) {
    reportAgentError('pg-pool', error);
    return NOT_SAMPLED;
  }
}

/** pg-pool calls a checkout back with (error, client, release). */
function timedCheckout(pool: PgPoolLike, checkout: Checkout, callback: NodeCallback, deps: PoolProxyDeps): NodeCallback {
  appWorkBegan();
  return (error, client, release) => {
    appWorkEnded();
    try {
      recordCheckout(pool, checkout, error, client, deps);
    } catch (agentError) {
      reportAgentError('pg-pool', agentError);
    }
    return callback(error, client, release);
  };
}

/** Returns a subclass of `Base` (same name) whose instances are tracked and timed. */
export function createPoolProxy(Base: PoolClass, deps: PoolProxyDeps): PoolClass {
  const Proxy = class extends Base {
    constructor(...args: unknown[]) {
      super(...args);
      trackPool(this, deps);
    }

    override connect(callback?: unknown): unknown {
      const checkout = checkoutOf(this, Proxy.prototype.connect, deps);
      if (typeof callback === 'function') return super.connect(timedCheckout(this, checkout, callback as NodeCallback, deps));
      // Build the promise the way pg-pool does (its own Promise class), so an
      // unhandled rejection stays unhandled for the app.
      const PromiseClass = (this as unknown as { Promise?: PromiseConstructor }).Promise ?? Promise;
      return new PromiseClass((resolve, reject) => {
        super.connect(timedCheckout(this, checkout, (error, client) => (error ? reject(error) : resolve(client)), deps));
      });
    }

    // pg-pool's query takes (text or config, values, callback): passed as they came, without a rest array.
    override query(text?: unknown, values?: unknown, callback?: unknown): unknown {
      dispatching = dispatchedSiteOf(text, Proxy.prototype.query, deps);
      try {
        return super.query(text, values, callback);
      } finally {
        dispatching = undefined;
      }
    }

    override newClient(...args: unknown[]): unknown {
      const started = monotonicMs();
      const before = (this as unknown as { _clients?: TimedClient[] })._clients?.length ?? 0;
      const result = super.newClient(...args);
      const clients = (this as unknown as { _clients?: TimedClient[] })._clients;
      if (clients && clients.length > before) {
        const client = clients[clients.length - 1]!;
        client[kCreateStart] = started;
        client[kAcquiredAt] = NaN;
        client[kCheckout] = newCheckoutRecord(deps.registry.get(this));
      }
      return result;
    }

    override end(...args: unknown[]): unknown {
      deps.registry.untrack(this);
      return super.end(...args);
    }
  };
  Object.defineProperty(Proxy, 'name', { value: Base.name });
  return Proxy;
}
