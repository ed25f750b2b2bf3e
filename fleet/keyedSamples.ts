/** Grouping helpers for instant vectors: one place that reads a sample's labels as a key. */
import { LABEL } from '../dashboards/shared/labels';
import type { FleetTarget } from './fleetModel';
import type { VectorSample } from './prometheusApi';

/** The labels that name a scrape target: every per-instance key starts with both (see FleetTarget). */
export const TARGET: readonly string[] = [LABEL.job, LABEL.instance];

export function targetOf(labels: Readonly<Record<string, string>>): FleetTarget {
  return { job: labels[LABEL.job] ?? '', instance: labels[LABEL.instance] ?? '' };
}

/** By job, then instance: the order ties fall back on. */
export function compareTargets(a: FleetTarget, b: FleetTarget): number {
  return a.job.localeCompare(b.job) || a.instance.localeCompare(b.instance);
}

/** The labels' values joined as one map key (label values cannot hold NUL). */
export function keyOf(labels: Readonly<Record<string, string>>, names: readonly string[]): string {
  return names.map((name) => labels[name] ?? '').join('\u0000');
}

/** Each sample's value under its key; a key seen twice keeps the sum. */
export function valuesByKey(samples: readonly VectorSample[], names: readonly string[]): Map<string, number> {
  const values = new Map<string, number>();
  for (const { labels, value } of samples) {
    if (!Number.isFinite(value)) continue;
    const key = keyOf(labels, names);
    values.set(key, (values.get(key) ?? 0) + value);
  }
  return values;
}

/** Groups items by a key, keeping the first-seen order of keys. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    const group = groups.get(name);
    if (group === undefined) groups.set(name, [item]);
    else group.push(item);
  }
  return groups;
}
