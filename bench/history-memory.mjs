// What the history costs, measured: heap and array buffers after GC before
// and after allocating histories of each shape, filled through a day of
// minutes so every bucket has been written. Prints one JSON line.
// Usage: node --expose-gc bench/history-memory.mjs [count]   (reads dist/: npm run build first)
import { MinuteHistory, NOTHING_COUNTED, historyBytes } from '../dist/core/minuteHistory.js';
import { STATEMENT_HISTORY_SHAPE } from '../dist/recording/queryStatistics.js';
import { POOL_HISTORY_SHAPE } from '../dist/instrumentations/pg/poolRegistry.js';
import { CACHE_HISTORY_SHAPE } from '../dist/instrumentations/cacheTelemetry/cacheStatistics.js';
import { REDIS_HISTORY_SHAPE } from '../dist/recording/redisStatistics.js';
import { emptyBuckets } from '../dist/core/latencyBuckets.js';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const count = Number(process.argv[2] ?? 2000);
const START_MINUTE = Math.floor(Date.UTC(2026, 11, 2) / 60_000);

function used() {
  globalThis.gc();
  globalThis.gc();
  const memory = process.memoryUsage();
  return memory.heapUsed + memory.arrayBuffers;
}

function measure(shape) {
  const before = used();
  const kept = [];
  const buckets = emptyBuckets();
  for (let i = 0; i < count; i += 1) {
    const history = new MinuteHistory(shape);
    history.start(START_MINUTE, NOTHING_COUNTED);
    kept.push(history);
  }
  const counters = new Array(shape.counters).fill(0);
  for (let minute = 1; minute <= 24 * 60; minute += 1) {
    for (let c = 0; c < counters.length; c += 1) counters[c] += 1;
    buckets[minute % buckets.length] += 1;
    const reading = { counters, buckets, maxMs: 100 };
    for (const history of kept) {
      history.roll(START_MINUTE + minute, reading);
      for (let p = 0; p < shape.peaks; p += 1) history.sample(p, minute);
    }
  }
  const bytesPerHistory = (used() - before) / count;
  if (kept.length !== count) throw new Error('unreachable');
  return { typedArrayBytes: historyBytes(shape), measuredBytes: Math.round(bytesPerHistory) };
}

const shapes = { statement: STATEMENT_HISTORY_SHAPE, pool: POOL_HISTORY_SHAPE, cache: CACHE_HISTORY_SHAPE, redisServer: REDIS_HISTORY_SHAPE };
const result = { count };
for (const [name, shape] of Object.entries(shapes)) result[name] = measure(shape);
console.log(JSON.stringify(result));
