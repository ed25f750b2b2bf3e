// Cost of the cache instrumentation, as ratios measured in one run:
// instrumented vs bare lru-cache get (hit and miss) and set, and the tiered
// cache's memory-hit path vs a bare lru-cache get behind an async function.
//
//   npx tsc -p tsconfig.json && node bench/cache.mjs       (reads dist/)
//   QL_BUILD=/path/to/build node bench/cache.mjs           (another compiled tree)
//
// A benchmark, not a test: numbers depend on the machine and what else runs on it.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const build = process.env.QL_BUILD ?? join(import.meta.dirname, '..', 'dist');
// The bare class is taken before the instrumentation patches the module export.
const { LRUCache: BareLRUCache } = require('lru-cache');
const { LruCacheInstrumentation } = require(join(build, 'instrumentations', 'lru-cache', 'index.js'));
const { createTieredCache } = require(join(build, 'cache', 'index.js'));
const { MeterProvider } = require('@opentelemetry/sdk-metrics');

const instrumentation = new LruCacheInstrumentation();
instrumentation.setMeterProvider(new MeterProvider());
const { LRUCache: InstrumentedLRUCache } = require('lru-cache');
if (InstrumentedLRUCache === BareLRUCache) throw new Error('lru-cache was not instrumented');

const OPS = Number(process.env.BENCH_OPS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const KEYS = 1000;
const keys = Array.from({ length: KEYS }, (_, i) => `key:${i}`);

function filled(Class) {
  const cache = new Class({ max: KEYS * 2 });
  for (const key of keys) cache.set(key, { key });
  return cache;
}

function nsPerOp(fn, ops) {
  const start = performance.now();
  for (let i = 0; i < ops; i += 1) fn(i);
  return ((performance.now() - start) * 1e6) / ops;
}

async function nsPerOpAsync(fn, ops) {
  const start = performance.now();
  for (let i = 0; i < ops; i += 1) await fn(i);
  return ((performance.now() - start) * 1e6) / ops;
}

const median = (samples) => samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)];

/**
 * Median ns per operation of each side over ROUNDS rounds, after a warm-up
 * round; the sides alternate within each round so drift on a shared machine
 * hits both alike.
 */
async function measurePair(bareFn, instrumentedFn, { async = false } = {}) {
  const ops = async ? Math.floor(OPS / 4) : OPS;
  const time = async ? nsPerOpAsync : nsPerOp;
  await time(bareFn, ops);
  await time(instrumentedFn, ops);
  const bareSamples = [];
  const instrumentedSamples = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    bareSamples.push(await time(bareFn, ops));
    instrumentedSamples.push(await time(instrumentedFn, ops));
  }
  return [median(bareSamples), median(instrumentedSamples)];
}

const bare = filled(BareLRUCache);
const instrumented = filled(InstrumentedLRUCache);
let sink = 0;
const results = [];
async function compare(label, bareFn, instrumentedFn, options) {
  const [bareNs, instrumentedNs] = await measurePair(bareFn, instrumentedFn, options);
  results.push({ case: label, bare_ns: +bareNs.toFixed(1), querylens_ns: +instrumentedNs.toFixed(1), ratio: +(instrumentedNs / bareNs).toFixed(2) });
}

const absent = keys.map((key) => `absent:${key}`);
await compare('lru-cache get (hit)',
  (i) => { sink += bare.get(keys[i % KEYS]) ? 1 : 0; },
  (i) => { sink += instrumented.get(keys[i % KEYS]) ? 1 : 0; });
await compare('lru-cache get (miss)',
  (i) => { sink += bare.get(absent[i % KEYS]) ? 0 : 1; },
  (i) => { sink += instrumented.get(absent[i % KEYS]) ? 0 : 1; });
await compare('lru-cache set (replacing a value)',
  (i) => { bare.set(keys[i % KEYS], i); },
  (i) => { instrumented.set(keys[i % KEYS], i); });
const small = [new BareLRUCache({ max: 100 }), new InstrumentedLRUCache({ max: 100 })];
await compare('lru-cache set (evicting)',
  (i) => { small[0].set(i, i); },
  (i) => { small[1].set(i, i); });

const tiered = createTieredCache({ name: 'bench', memory: { max: KEYS * 2 }, ttlMs: 600_000 });
for (const key of keys) await tiered.get(key, () => ({ key }));
const bareAsyncGet = async (key) => bare.get(key);
await compare('tiered get (memory hit) vs bare get in an async function',
  async (i) => { sink += (await bareAsyncGet(keys[i % KEYS])) ? 1 : 0; },
  async (i) => { sink += (await tiered.get(keys[i % KEYS], () => undefined)) ? 1 : 0; },
  { async: true });
await tiered.close();

console.table(results);
console.log(JSON.stringify({ node: process.version, ops: OPS, rounds: ROUNDS, sink: sink > 0, results }));
