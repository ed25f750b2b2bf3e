/**
 * Live pools, held weakly, and the observable pool gauges read from them at
 * scrape time: one series per pool, never lagging behind pool events.
 *
 * Each pool keeps a history (core/minuteHistory.ts) of checkouts and their
 * wait p95 per minute, and of the most connections in use and the most
 * callers waiting among the samples the agent's sampler takes.
 */
import { monotonicMs } from '../../core/monotonicClock';
import type { Attributes, BatchObservableResult, Counter, Meter, Observable } from '@opentelemetry/api';
import type { CallSite } from '../../core/callSite';
import { ATTR, METRICS } from '../../core/metrics/registry';
import { createObservableGauge } from '../../core/metrics/instruments';
import { LatencyBuckets } from '../../core/latencyBuckets';
import { MinuteHistory, NOTHING_COUNTED, minuteOf, type CumulativeReading, type HistoryShape, type HistoryWindow } from '../../core/minuteHistory';
import { PoolNameAllocator, type PoolTarget } from './poolName';
import { heldClientsOf, type CheckoutRecord } from './checkouts';
import { ConnectionFindings } from './connectionFindings';
import type { PgPoolLike, PgPoolOptions } from './types';

export interface TrackedPool {
  readonly name: string;
  readonly target: PoolTarget;
  /** Checkout waits in this process, for the report's p95 (the histogram goes to metrics). */
  readonly waits: LatencyBuckets;
  readonly history: MinuteHistory;
  readonly attributes: Attributes;
  readonly idleAttributes: Attributes;
  readonly usedAttributes: Attributes;
  readonly ref: WeakRef<PgPoolLike>;
  /** Explicit checkouts (`pool.connect()`) seen, for sampling their call sites. */
  checkoutsSeen: number;
  /** After a leak whose checkout had no call site: checkouts still to capture, every one, so the next leak names its site. */
  leakHuntLeft: number;
}

/** `pool.connect()` call sites: the first FIRST_CHECKOUT_SAMPLES of a pool, then one in CHECKOUT_SAMPLE_EVERY, and every one for LEAK_HUNT_CHECKOUTS after a leak without a site. */
export const FIRST_CHECKOUT_SAMPLES = 32;
export const CHECKOUT_SAMPLE_EVERY = 64;
export const LEAK_HUNT_CHECKOUTS = 10_000;
/** Clients the status page lists as held longest right now. */
export const HELD_CLIENTS_SHOWN = 10;

/** A client checked out of a pool right now. */
export interface HeldClientSnapshot {
  readonly pool: string;
  readonly heldMs: number;
  readonly site: CallSite | undefined;
  readonly route: string | undefined;
  /** Held past QUERYLENS_POOL_LEAK_MS and reported. */
  readonly leaked: boolean;
}

export interface PoolSnapshot {
  readonly name: string;
  readonly total: number;
  readonly idle: number;
  readonly used: number;
  readonly pending: number;
  readonly max: number;
  readonly min: number;
  /** Checkouts since start, and their 95th percentile wait in milliseconds. */
  readonly checkouts: number;
  readonly waitP95Ms: number;
}

/** checkouts per bucket with their wait p95; peaks: connections in use, callers waiting. */
export const POOL_HISTORY_SHAPE: HistoryShape = { counters: 1, peaks: 2, latency: true };

export interface PoolHistory extends HistoryWindow {
  readonly name: string;
}

function waitReading(tracked: TrackedPool): CumulativeReading {
  return { counters: [tracked.waits.count], buckets: tracked.waits.buckets, maxMs: tracked.waits.maxMs };
}

/** The live pool's own counts, read now. */
function connectionCounts(pool: PgPoolLike): Omit<PoolSnapshot, 'name' | 'checkouts' | 'waitP95Ms'> {
  const total = pool.totalCount;
  const idle = pool.idleCount;
  return { total, idle, used: total - idle, pending: pool.waitingCount, max: pool.options.max, min: pool.options.min ?? 0 };
}

export class PoolRegistry {
  private readonly pools = new Set<TrackedPool>();
  private readonly byPool = new WeakMap<PgPoolLike, TrackedPool>();
  private readonly names = new PoolNameAllocator();
  private readonly finalizer = new FinalizationRegistry<TrackedPool>((tracked) => this.forget(tracked));
  /** Leaks, long transactions and idle-in-transaction clients (connectionFindings.ts). */
  readonly findings = new ConnectionFindings();

  track(pool: PgPoolLike, baseName: string, target: PoolTarget): TrackedPool {
    const existing = this.byPool.get(pool);
    if (existing) return existing;
    const name = this.names.allocate(baseName);
    const attributes = { [ATTR.poolName]: name };
    const history = new MinuteHistory(POOL_HISTORY_SHAPE);
    history.start(minuteOf(Date.now()), NOTHING_COUNTED);
    const tracked: TrackedPool = {
      name,
      target,
      waits: new LatencyBuckets(),
      history,
      attributes,
      idleAttributes: { ...attributes, [ATTR.connectionState]: 'idle' },
      usedAttributes: { ...attributes, [ATTR.connectionState]: 'used' },
      ref: new WeakRef(pool),
      checkoutsSeen: 0,
      leakHuntLeft: 0,
    };
    this.pools.add(tracked);
    this.byPool.set(pool, tracked);
    this.finalizer.register(pool, tracked, tracked);
    return tracked;
  }

  get(pool: PgPoolLike): TrackedPool | undefined {
    return this.byPool.get(pool);
  }

  /** An ended pool frees its name and its series. */
  untrack(pool: PgPoolLike): void {
    const tracked = this.byPool.get(pool);
    if (!tracked) return;
    this.byPool.delete(pool);
    this.finalizer.unregister(tracked);
    this.forget(tracked);
  }

  /** Whether this explicit checkout's call site is captured (sampled: a capture costs microseconds). */
  sampleCheckout(tracked: TrackedPool): boolean {
    const seen = tracked.checkoutsSeen;
    tracked.checkoutsSeen = seen + 1;
    if (tracked.leakHuntLeft > 0) {
      tracked.leakHuntLeft -= 1;
      return true;
    }
    return seen < FIRST_CHECKOUT_SAMPLES || seen % CHECKOUT_SAMPLE_EVERY === 0;
  }

  /** Reports every client held `leakMs` or longer, once per checkout; `leaks` counts them per pool. */
  checkHeldClients(nowMs: number, leakMs: number, leaks: Counter<Attributes>): void {
    const nowMonotonic = monotonicMs();
    for (const [tracked, pool] of this.livePools()) {
      for (const { record, heldMs } of heldClientsOf(pool, nowMonotonic)) {
        if (heldMs < leakMs || record.byPoolQuery || !Number.isNaN(record.leakedAt)) continue;
        record.leakedAt = nowMonotonic;
        leaks.add(1, tracked.attributes);
        if (record.site === undefined) tracked.leakHuntLeft = LEAK_HUNT_CHECKOUTS;
        this.findings.record({ kind: 'pool-client-leak', pool: tracked.name, site: record.site, route: record.scope?.route(), durationMs: heldMs, at: nowMs });
      }
    }
  }

  /** A client came back: a reported leak is counted as released late. */
  released(tracked: TrackedPool, record: CheckoutRecord, heldMs: number): void {
    if (!Number.isNaN(record.leakedAt)) {
      this.findings.releasedLate({ kind: 'pool-client-leak', pool: tracked.name, site: record.site, route: record.scope?.route(), durationMs: heldMs, at: Date.now() });
    }
    record.leakedAt = NaN;
    record.site = undefined;
    record.scope = undefined;
  }

  /** The clients checked out now, held longest first (at most HELD_CLIENTS_SHOWN). */
  heldClients(): HeldClientSnapshot[] {
    const nowMonotonic = monotonicMs();
    const held: HeldClientSnapshot[] = [];
    for (const [tracked, pool] of this.livePools()) {
      for (const { record, heldMs } of heldClientsOf(pool, nowMonotonic)) {
        held.push({ pool: tracked.name, heldMs, site: record.site, route: record.scope?.route(), leaked: !Number.isNaN(record.leakedAt) });
      }
    }
    return held.sort((a, b) => b.heldMs - a.heldMs).slice(0, HELD_CLIENTS_SHOWN);
  }

  /** Options (credentials included, memory only) of a live pool connected to `target`. */
  optionsFor(target: PoolTarget): PgPoolOptions | undefined {
    for (const tracked of this.pools) {
      const { host, port, database } = tracked.target;
      if (host === target.host && port === target.port && database === target.database) {
        const pool = tracked.ref.deref();
        if (pool) return pool.options;
      }
    }
    return undefined;
  }

  snapshots(): PoolSnapshot[] {
    return [...this.livePools()].map(([tracked, pool]) => ({
      name: tracked.name,
      ...connectionCounts(pool),
      checkouts: tracked.waits.count,
      waitP95Ms: Math.round(tracked.waits.quantile(0.95) * 1000) / 1000,
    }));
  }

  /** Closes the minutes that ended before `nowMs` and samples each live pool's use (the agent's sampler calls it). */
  sampleHistory(nowMs: number): void {
    const minute = minuteOf(nowMs);
    for (const [tracked, pool] of this.livePools()) {
      tracked.history.roll(minute, waitReading(tracked));
      const counts = connectionCounts(pool);
      tracked.history.sample(0, counts.used);
      tracked.history.sample(1, counts.pending);
    }
  }

  /** Per live pool, its buckets that end after `sinceMs`, read at `nowMs`. */
  histories(nowMs: number, sinceMs?: number): PoolHistory[] {
    return [...this.livePools()].map(([tracked]) => ({ name: tracked.name, ...tracked.history.window(nowMs, waitReading(tracked), sinceMs) }));
  }

  /** The metric attributes of every live pool. */
  liveAttributes(): Attributes[] {
    return [...this.livePools()].map(([tracked]) => tracked.attributes);
  }

  /** Registers the pool gauges on `meter`; values are read from live pools when collected. */
  observe(meter: Meter): void {
    const count = createObservableGauge(meter, METRICS.dbConnectionCount);
    const max = createObservableGauge(meter, METRICS.dbConnectionMax);
    const idleMax = createObservableGauge(meter, METRICS.dbConnectionIdleMax);
    const idleMin = createObservableGauge(meter, METRICS.dbConnectionIdleMin);
    const pending = createObservableGauge(meter, METRICS.dbConnectionPendingRequests);
    const observables: Observable[] = [count, max, idleMax, idleMin, pending];
    meter.addBatchObservableCallback((result: BatchObservableResult) => {
      for (const [tracked, pool] of this.livePools()) {
        const counts = connectionCounts(pool);
        result.observe(count, counts.idle, tracked.idleAttributes);
        result.observe(count, counts.used, tracked.usedAttributes);
        result.observe(max, counts.max, tracked.attributes);
        // pg keeps up to `max` idle clients and tops up to `min`.
        result.observe(idleMax, counts.max, tracked.attributes);
        result.observe(idleMin, counts.min, tracked.attributes);
        result.observe(pending, counts.pending, tracked.attributes);
      }
    }, observables);
  }

  private *livePools(): IterableIterator<[TrackedPool, PgPoolLike]> {
    for (const tracked of this.pools) {
      const pool = tracked.ref.deref();
      if (pool) yield [tracked, pool];
    }
  }

  private forget(tracked: TrackedPool): void {
    if (this.pools.delete(tracked)) this.names.release(tracked.name);
  }
}
