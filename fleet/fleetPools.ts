/**
 * Pools by saturation across the fleet: each instance's pool (connections in
 * use over the pool's maximum, requests waiting, checkout timeouts), and per
 * pool name the fleet's sum. Sorted by the most saturated instance, since one
 * exhausted instance is the problem even when the fleet's average is fine. Pure.
 */
import { CONNECTION_STATE, LABEL } from '../dashboards/shared/labels';
import type { FleetPool, PoolOnInstance } from './fleetModel';
import { TARGET, compareTargets, groupBy, keyOf, targetOf, valuesByKey } from './keyedSamples';
import type { VectorSample } from './prometheusApi';

export interface PoolSamples {
  readonly poolConnections: readonly VectorSample[];
  readonly poolMax: readonly VectorSample[];
  readonly poolPending: readonly VectorSample[];
  readonly poolTimeouts: readonly VectorSample[];
}

const POOL_ON_INSTANCE = [LABEL.pool, ...TARGET];

const ratio = (part: number, whole: number): number | undefined => (whole > 0 ? part / whole : undefined);
const bySaturation = (a: number | undefined, b: number | undefined): number => (b ?? -1) - (a ?? -1);

function poolsOnInstances(samples: PoolSamples): (PoolOnInstance & { readonly pool: string })[] {
  const inState = (state: string) => valuesByKey(samples.poolConnections.filter((sample) => sample.labels[LABEL.connectionState] === state), POOL_ON_INSTANCE);
  const [used, idle] = [inState(CONNECTION_STATE.used), inState(CONNECTION_STATE.idle)];
  const [max, pending, timeouts] = [samples.poolMax, samples.poolPending, samples.poolTimeouts].map((series) => valuesByKey(series, POOL_ON_INSTANCE));
  const keys = new Map<string, Readonly<Record<string, string>>>();
  for (const { labels } of [...samples.poolConnections, ...samples.poolMax]) keys.set(keyOf(labels, POOL_ON_INSTANCE), labels);
  return [...keys.entries()].map(([key, labels]) => {
    const figures = { used: used.get(key) ?? 0, idle: idle.get(key) ?? 0, max: max.get(key) ?? 0, pending: pending.get(key) ?? 0, timeouts: timeouts.get(key) ?? 0 };
    return { pool: labels[LABEL.pool] ?? '', ...targetOf(labels), ...figures, saturation: ratio(figures.used, figures.max) };
  });
}

function poolOf(pool: string, entries: readonly PoolOnInstance[]): FleetPool {
  const instances = entries.map(({ job, instance, used, idle, max, pending, saturation, timeouts }) => ({ job, instance, used, idle, max, pending, saturation, timeouts }))
    .sort((a, b) => bySaturation(a.saturation, b.saturation) || b.pending - a.pending || compareTargets(a, b));
  const total = (field: 'used' | 'max' | 'pending' | 'timeouts') => instances.reduce((sum, entry) => sum + entry[field], 0);
  return {
    pool, used: total('used'), max: total('max'), pending: total('pending'), timeouts: total('timeouts'),
    saturation: ratio(total('used'), total('max')), maxSaturation: instances[0]?.saturation, instances,
  };
}

export function fleetPools(samples: PoolSamples): FleetPool[] {
  return [...groupBy(poolsOnInstances(samples), (entry) => entry.pool).entries()]
    .map(([pool, entries]) => poolOf(pool, entries))
    .sort((a, b) => bySaturation(a.maxSaturation, b.maxSaturation) || b.pending - a.pending || a.pool.localeCompare(b.pool));
}
