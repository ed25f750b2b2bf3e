/** Grouping helpers for instant vectors: one place that reads a sample's labels as a key. */
import type { VectorSample } from './prometheusApi';

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
