/**
 * The lru-cache instrumentation on real lru-cache v11 (through the require
 * hook) and v10 (through the module definition's patch): hit/miss/stale
 * counts, evictions by reason with the user's dispose still called, the
 * entries/max gauges, default and explicit names, fetch load metrics, and
 * transparency (instanceof, getters, statics).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { ATTR, METRICS } from '../../core/metrics/registry';
import { LruCacheInstrumentation, nameCache } from '../../instrumentations/lru-cache/index';
import { cacheSummaries } from '../../instrumentations/cacheTelemetry/cacheStatistics';
import { CacheMetricsReader } from '../helpers/cacheMetrics';

const metrics = new CacheMetricsReader();
const instrumentation = new LruCacheInstrumentation();
instrumentation.setMeterProvider(metrics.provider);

// Required only now, so the instrumentation's require hook sees lru-cache.
const requireHere = createRequire(import.meta.url);
const { LRUCache } = requireHere('lru-cache') as typeof import('lru-cache');
type LRUCacheStatus = import('lru-cache').LRUCache.Status<string, string>;

afterAll(async () => {
  instrumentation.disable();
  await metrics.shutdown();
});

function uniqueName(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

const requests = (name: string, result: string) => metrics.value(METRICS.cacheRequests.name,
  { [ATTR.cacheName]: name, [ATTR.cacheLayer]: 'memory', [ATTR.cacheResult]: result });
const evictions = (name: string, reason: string) => metrics.value(METRICS.cacheEvictions.name,
  { [ATTR.cacheName]: name, [ATTR.reason]: reason });

describe('lru-cache v11 through the require hook', () => {
  it('counts hits, misses and stale hits of get', async () => {
    const name = uniqueName('get');
    const cache = nameCache(new LRUCache<string, string>({ max: 10, ttl: 30 }), name);
    cache.set('a', '1');
    expect(cache.get('a')).toBe('1');
    expect(cache.get('a', { allowStale: false })).toBe('1');
    expect(cache.get('absent')).toBeUndefined();
    await sleep(60);
    expect(cache.get('a')).toBeUndefined();

    expect(await requests(name, 'hit')).toBe(2);
    expect(await requests(name, 'miss')).toBe(1);
    expect(await requests(name, 'stale')).toBe(1);
    // The stale get deleted the entry: lru-cache reports that as an `expire` disposal.
    expect(await evictions(name, 'expire')).toBe(1);
  });

  it('counts evictions by reason and keeps the user dispose working', async () => {
    const name = uniqueName('evict');
    const disposed: [string, string, string, boolean][] = [];
    const options = {
      max: 2,
      dispose(this: unknown, value: string, key: string, reason: string) {
        disposed.push([value, key, reason, this === cache]);
      },
    };
    const cache: InstanceType<typeof LRUCache<string, string>> = nameCache(new LRUCache<string, string>(options), name);
    cache.set('a', '1');
    cache.set('b', '2');
    cache.set('c', '3'); // evicts a
    cache.set('b', '22'); // replaces b
    cache.delete('c');

    expect(disposed).toEqual([['1', 'a', 'evict', true], ['2', 'b', 'set', true], ['3', 'c', 'delete', true]]);
    expect(await evictions(name, 'evict')).toBe(1);
    expect(await evictions(name, 'set')).toBe(1);
    expect(await evictions(name, 'delete')).toBe(1);
    // The user's options object is untouched and the getter shows their function.
    expect(cache.dispose).toBe(options.dispose);
    expect(Object.keys(options)).toEqual(['max', 'dispose']);
  });

  it('reports entries and max entries of live caches', async () => {
    const name = uniqueName('gauges');
    const first = nameCache(new LRUCache<number, number>({ max: 50 }), name);
    const second = nameCache(new LRUCache<number, number>({ max: 30 }), name);
    for (let i = 0; i < 7; i += 1) first.set(i, i);
    for (let i = 0; i < 3; i += 1) second.set(i, i);

    expect(await metrics.value(METRICS.cacheEntries.name, { [ATTR.cacheName]: name })).toBe(first.size + second.size);
    expect(await metrics.value(METRICS.cacheMaxEntries.name, { [ATTR.cacheName]: name })).toBe(first.max + second.max);
    const summary = cacheSummaries().find((entry) => entry.name === name);
    expect(summary).toMatchObject({ layer: 'memory', entries: first.size + second.size, maxEntries: first.max + second.max });
  });

  it('names an unnamed cache after the line that created it', async () => {
    const cache = new LRUCache<string, string>({ max: 5 }); const line = Number(new Error().stack?.split('\n')[1]?.match(/:(\d+):\d+\)?$/)?.[1]);
    cache.get('x');
    const points = await metrics.points(METRICS.cacheRequests.name);
    const names = points.map((point) => String(point.attributes[ATTR.cacheName]));
    expect(names).toContain(`test/integration/lru-cache-instrumentation.test.ts:${line}`);
  });

  it('measures fetchMethod loads and counts fetch hits and misses', async () => {
    const name = uniqueName('fetch');
    let loads = 0;
    const cache = nameCache(new LRUCache<string, string>({
      max: 10,
      fetchMethod: async (key) => {
        loads += 1;
        await sleep(20);
        return `value of ${key}`;
      },
    }), name);
    const [first, joined] = await Promise.all([cache.fetch('k'), cache.fetch('k')]);
    expect(first).toBe('value of k');
    expect(joined).toBe('value of k');
    expect(await cache.fetch('k')).toBe('value of k');
    expect(loads).toBe(1);

    expect(await requests(name, 'miss')).toBe(2); // the load and the caller that joined it
    expect(await requests(name, 'hit')).toBe(1);
    const load = await metrics.histogram(METRICS.cacheLoadDuration.name, { [ATTR.cacheName]: name });
    expect(load.count).toBe(1);
    expect(load.sum).toBeGreaterThanOrEqual(0.015);
  });

  it('stays transparent: instanceof, statics, rejected loads, option objects', async () => {
    const cache = new LRUCache<string, string>({ max: 3, fetchMethod: () => Promise.reject(new Error('no such row')) });
    expect(cache).toBeInstanceOf(LRUCache);
    expect(Object.getPrototypeOf(LRUCache)).not.toBe(Function.prototype);
    expect(LRUCache.name).toBe((Object.getPrototypeOf(LRUCache) as { name: string }).name);
    expect(typeof LRUCache.unsafeExposeInternals(cache).keyMap.size).toBe('number');
    await expect(cache.fetch('k')).rejects.toThrow('no such row');
    const options: { allowStale: boolean; status?: LRUCacheStatus } = { allowStale: true };
    cache.get('k', options);
    expect(options.status).toBeUndefined();
    class Sessions extends LRUCache<string, string> {}
    expect(new Sessions({ max: 1 })).toBeInstanceOf(LRUCache);
  });
});

describe('lru-cache v10 through the module definition', () => {
  const v10 = requireHere('lru-cache-v10') as typeof import('lru-cache');
  const version = (JSON.parse(readFileSync(join(dirname(requireHere.resolve('lru-cache-v10')), '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

  it('patches v10 and counts its lookups and evictions', async () => {
    const definition = instrumentation.packagePatches().find((d) => d.name === 'lru-cache');
    expect(definition?.supportedMajors).toEqual([10, 11]);
    const patched = definition!.patch({ LRUCache: v10.LRUCache }, version) as typeof v10;
    expect(patched.LRUCache).not.toBe(v10.LRUCache);

    const name = uniqueName('v10');
    const cache = nameCache(new patched.LRUCache<string, string>({ max: 1 }), name);
    cache.set('a', '1');
    cache.get('a');
    cache.set('b', '2');
    cache.get('a');
    expect(cache).toBeInstanceOf(v10.LRUCache);
    expect(await requests(name, 'hit')).toBe(1);
    expect(await requests(name, 'miss')).toBe(1);
    expect(await evictions(name, 'evict')).toBe(1);

    // fetch() without a fetchMethod is a get; v10 implements it with the public get(): counted once.
    const fetchName = uniqueName('v10-fetch');
    const plain = nameCache(new patched.LRUCache<string, string>({ max: 5 }), fetchName);
    plain.set('a', '1');
    expect(await plain.fetch('a')).toBe('1');
    expect(await plain.fetch('b')).toBeUndefined();
    expect(await requests(fetchName, 'hit')).toBe(1);
    expect(await requests(fetchName, 'miss')).toBe(1);
  });
});
