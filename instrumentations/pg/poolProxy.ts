/**
 * The pool proxy: a subclass of pg-pool's Pool that registers every pool for
 * the observable gauges and times checkouts, connection creation and use.
 * A subclass keeps `instanceof`, events, getters, callbacks and promises of
 * the original intact; pg's own `BoundPool` extends it unchanged.
 */
import { performance } from 'node:perf_hooks';
import type { Attributes, Counter } from '@opentelemetry/api';
import type { DatabaseHistogram } from '../../core/metrics/preAggregatedHistogram';
import { reportAgentError } from '../../core/agentErrors';
import { appWorkBegan, appWorkEnded } from '../../core/appWork';
import { basePoolName, resolvePoolTarget } from './poolName';
import type { PoolRegistry, TrackedPool } from './poolRegistry';
import type { ConnectionParametersClass, NodeCallback, PgClientLike, PgPoolLike, PoolClass } from './types';

export interface PoolInstruments {
  waitTime: DatabaseHistogram;
  createTime: DatabaseHistogram;
  useTime: DatabaseHistogram;
  timeouts: Counter<Attributes>;
}

export interface PoolProxyDeps {
  readonly registry: PoolRegistry;
  readonly instruments: () => PoolInstruments;
  readonly connectionParameters: () => ConnectionParametersClass | undefined;
}

/**
 * Times kept on the pool's clients. Both are set when the client is created
 * and always hold a double (NaN when unset): a property added later, or a
 * field whose kind changes (undefined replaced by a time), gives pg's clients
 * further hidden classes that pg's own property accesses then have to handle.
 */
const kCreateStart = Symbol('querylens.pg.createStart');
const kAcquiredAt = Symbol('querylens.pg.acquiredAt');
type TimedClient = PgClientLike & { [kCreateStart]?: number; [kAcquiredAt]?: number };

/** pg-pool's checkout timeout and the pool's connection-timeout teardown. */
function isCheckoutTimeout(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.message === 'timeout exceeded when trying to connect'
    || error.message === 'Connection terminated due to connection timeout';
}

function secondsSince(startMs: number): number {
  return (performance.now() - startMs) / 1000;
}

function trackPool(pool: PgPoolLike, deps: PoolProxyDeps): void {
  try {
    const target = resolvePoolTarget(pool.options, deps.connectionParameters());
    const tracked = deps.registry.track(pool, basePoolName(pool.options, target), target);
    // At 0 from the pool's start: a first timeout on a series born at 1 is no increase to rate().
    deps.instruments().timeouts.add(0, tracked.attributes);
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
function recordCheckout(pool: PgPoolLike, started: number, error: unknown, client: unknown, deps: PoolProxyDeps): void {
  const tracked = deps.registry.get(pool);
  if (!tracked) return;
  const instruments = deps.instruments();
  if (error === undefined || error === null) {
    const acquired = performance.now();
    // Only on clients our newClient set up (not adding the property elsewhere).
    const timed = client as TimedClient | undefined;
    if (timed?.[kAcquiredAt] !== undefined) timed[kAcquiredAt] = acquired;
    const waited = (acquired - started) / 1000;
    instruments.waitTime.record(waited, tracked.attributes);
    tracked.waits.record(waited * 1000);
  } else if (isCheckoutTimeout(error)) {
    instruments.timeouts.add(1, tracked.attributes);
  }
}

/** pg-pool calls a checkout back with (error, client, release). */
function timedCheckout(pool: PgPoolLike, callback: NodeCallback, deps: PoolProxyDeps): NodeCallback {
  const started = performance.now();
  appWorkBegan();
  return (error, client, release) => {
    appWorkEnded();
    try {
      recordCheckout(pool, started, error, client, deps);
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
      if (typeof callback === 'function') return super.connect(timedCheckout(this, callback as NodeCallback, deps));
      // Build the promise the way pg-pool does (its own Promise class), so an
      // unhandled rejection stays unhandled for the app.
      const PromiseClass = (this as unknown as { Promise?: PromiseConstructor }).Promise ?? Promise;
      return new PromiseClass((resolve, reject) => {
        super.connect(timedCheckout(this, (error, client) => (error ? reject(error) : resolve(client)), deps));
      });
    }

    override newClient(...args: unknown[]): unknown {
      const started = performance.now();
      const before = (this as unknown as { _clients?: TimedClient[] })._clients?.length ?? 0;
      const result = super.newClient(...args);
      const clients = (this as unknown as { _clients?: TimedClient[] })._clients;
      if (clients && clients.length > before) {
        const client = clients[clients.length - 1]!;
        client[kCreateStart] = started;
        client[kAcquiredAt] = NaN;
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
