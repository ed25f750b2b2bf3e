/**
 * The pool proxy: a subclass of pg-pool's Pool that registers every pool for
 * the observable gauges and times checkouts, connection creation and use.
 * A subclass keeps `instanceof`, events, getters, callbacks and promises of
 * the original intact; pg's own `BoundPool` extends it unchanged.
 */
import type { Attributes, Counter, Histogram } from '@opentelemetry/api';
import { reportAgentError } from '../../agent/agentErrors';
import { basePoolName, resolvePoolTarget } from './poolName';
import type { PoolRegistry, TrackedPool } from './poolRegistry';
import type { ConnectionParametersClass, NodeCallback, PgClientLike, PgPoolLike, PoolClass } from './types';

export interface PoolInstruments {
  waitTime: Histogram<Attributes>;
  createTime: Histogram<Attributes>;
  useTime: Histogram<Attributes>;
  timeouts: Counter<Attributes>;
}

export interface PoolProxyDeps {
  readonly registry: PoolRegistry;
  readonly instruments: () => PoolInstruments;
  readonly connectionParameters: () => ConnectionParametersClass | undefined;
}

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
    pool.on('connect', (client: TimedClient) => recordCreate(client, tracked, deps));
    pool.on('acquire', (client: TimedClient) => {
      client[kAcquiredAt] = performance.now();
    });
    pool.on('release', (_error: unknown, client: TimedClient) => recordUse(client, tracked, deps));
  } catch (error) {
    reportAgentError('pg-pool', error);
  }
}

function recordCreate(client: TimedClient, tracked: TrackedPool, deps: PoolProxyDeps): void {
  const started = client[kCreateStart];
  if (started === undefined) return;
  client[kCreateStart] = undefined;
  deps.instruments().createTime.record(secondsSince(started), tracked.attributes);
}

function recordUse(client: TimedClient | undefined, tracked: TrackedPool, deps: PoolProxyDeps): void {
  const acquired = client?.[kAcquiredAt];
  if (client === undefined || acquired === undefined) return;
  client[kAcquiredAt] = undefined;
  deps.instruments().useTime.record(secondsSince(acquired), tracked.attributes);
}

function recordCheckout(pool: PgPoolLike, started: number, error: unknown, deps: PoolProxyDeps): void {
  const tracked = deps.registry.get(pool);
  if (!tracked) return;
  const instruments = deps.instruments();
  if (error === undefined || error === null) {
    const waited = secondsSince(started);
    instruments.waitTime.record(waited, tracked.attributes);
    tracked.waits.record(waited * 1000);
  } else if (isCheckoutTimeout(error)) {
    instruments.timeouts.add(1, tracked.attributes);
  }
}

/** Returns a subclass of `Base` (same name) whose instances are tracked and timed. */
export function createPoolProxy(Base: PoolClass, deps: PoolProxyDeps): PoolClass {
  const Proxy = class extends Base {
    constructor(...args: unknown[]) {
      super(...args);
      trackPool(this, deps);
    }

    override connect(...args: unknown[]): unknown {
      const started = performance.now();
      const timed = (callback: NodeCallback): NodeCallback => (error, ...rest) => {
        recordCheckout(this, started, error, deps);
        return callback(error, ...rest);
      };
      const callback = args[0];
      if (typeof callback === 'function') return super.connect(timed(callback as NodeCallback));
      // Build the promise the way pg-pool does (its own Promise class), so an
      // unhandled rejection stays unhandled for the app.
      const PromiseClass = (this as unknown as { Promise?: PromiseConstructor }).Promise ?? Promise;
      return new PromiseClass((resolve, reject) => {
        super.connect(timed((error, client) => (error ? reject(error) : resolve(client))));
      });
    }

    override newClient(...args: unknown[]): unknown {
      const started = performance.now();
      const before = (this as unknown as { _clients?: TimedClient[] })._clients?.length ?? 0;
      const result = super.newClient(...args);
      const clients = (this as unknown as { _clients?: TimedClient[] })._clients;
      if (clients && clients.length > before) clients[clients.length - 1][kCreateStart] = started;
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
