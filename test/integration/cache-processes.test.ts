/**
 * The cache code compiled and run in child processes: the lru-cache
 * instrumentation through the ESM loader hook, and a tiered cache that does
 * not keep its process alive. Compiles the project into a private directory
 * (removed afterwards) so it never touches the shared dist/.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTR, METRICS } from '../../core/metrics/registry';
import { TIERED_KEY_PREFIX } from '../../instrumentations/cacheTelemetry/tieredKeys';
import { ROOT, lastJsonLine } from '../helpers/agentProcess';

const run = promisify(execFile);
const FIXTURES = join(ROOT, 'test', 'fixtures', 'cache');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let build = '';

beforeAll(async () => {
  build = mkdtempSync(join(ROOT, '.tmp-cache-build-'));
  // Other files of the shared tree may not compile at this moment: what matters is that ours were emitted.
  await run(process.execPath, [join(ROOT, 'node_modules', '.bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json'), '--outDir', build])
    .catch(() => undefined);
  expect(existsSync(join(build, 'cache', 'index.js'))).toBe(true);
}, 120_000);

afterAll(() => {
  if (build !== '') rmSync(build, { recursive: true, force: true });
});

interface Point { name: string; attributes: Record<string, string>; value: number }

describe('cache code in child processes', () => {
  it('instruments lru-cache imported as ESM', async () => {
    const { stdout } = await run(process.execPath, [join(FIXTURES, 'lru-cache-esm-app.mjs')],
      { cwd: ROOT, env: { ...process.env, QL_BUILD: build }, timeout: 20_000 });
    const { instanceOf, points } = lastJsonLine<{ instanceOf: boolean; points: Point[] }>(stdout);
    const value = (name: string, wanted: Record<string, string>) => points
      .filter((point) => point.name === name && Object.entries(wanted).every(([key, v]) => point.attributes[key] === v))
      .reduce((sum, point) => sum + point.value, 0);
    expect(instanceOf).toBe(true);
    const cache = { [ATTR.cacheName]: 'esm-cache' };
    expect(value(METRICS.cacheRequests.name, { ...cache, [ATTR.cacheResult]: 'hit' })).toBe(1);
    expect(value(METRICS.cacheRequests.name, { ...cache, [ATTR.cacheResult]: 'miss' })).toBe(1);
    expect(value(METRICS.cacheEvictions.name, { ...cache, [ATTR.reason]: 'evict' })).toBe(1);
    expect(value(METRICS.cacheEntries.name, cache)).toBe(2);
  });

  it('counts the tiered cache\'s memory layer once when lru-cache is instrumented too', async () => {
    const { stdout } = await run(process.execPath, [join(FIXTURES, 'tiered-cache-instrumented.cjs')],
      { cwd: ROOT, env: { ...process.env, QL_BUILD: build }, timeout: 20_000 });
    const { points } = lastJsonLine<{ points: Omit<Point, 'name'>[] }>(stdout);
    expect(points).toEqual(expect.arrayContaining([
      { attributes: { [ATTR.cacheName]: 'tiered-once', [ATTR.cacheLayer]: 'memory', [ATTR.cacheResult]: 'miss' }, value: 1 },
      { attributes: { [ATTR.cacheName]: 'tiered-once', [ATTR.cacheLayer]: 'memory', [ATTR.cacheResult]: 'hit' }, value: 1 },
    ]));
    expect(points).toHaveLength(2);
  });

  it('a tiered cache never keeps its process alive', async () => {
    const name = `test-exits-${randomUUID().slice(0, 8)}`;
    const started = Date.now();
    const { stdout } = await run(process.execPath, [join(FIXTURES, 'tiered-cache-exits.cjs')],
      { cwd: ROOT, env: { ...process.env, QL_BUILD: build, CACHE_NAME: name }, timeout: 15_000 });
    expect(lastJsonLine<{ value: unknown }>(stdout).value).toEqual({ loaded: true });
    expect(Date.now() - started).toBeLessThan(10_000);
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${TIERED_KEY_PREFIX}:${name}:*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
    await redis.quit();
  });
});
