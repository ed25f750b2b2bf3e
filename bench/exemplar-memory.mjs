// Exemplar memory at the cap: one duration histogram whose MAX_EXEMPLAR_SERIES
// series have an exemplar in every bucket (trace and span ids as fresh strings,
// as the trace SDK makes them), against the same series recorded without
// spans. Prints the heap difference. Run: node --expose-gc bench/exemplar-memory.mjs
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './modes.mjs';

const require = createRequire(import.meta.url);
const { PreAggregatedHistogram, MAX_EXEMPLAR_SERIES } = require(join(ROOT, 'dist', 'core', 'metrics', 'preAggregatedHistogram.js'));
const { METRICS, REDIS_DURATION_BUCKETS_SECONDS } = require(join(ROOT, 'dist', 'core', 'metrics', 'registry.js'));

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

function heapAfterGc() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

/** Redis series: the most buckets (14), so the worst case. */
function fill(withSpans) {
  const histogram = new PreAggregatedHistogram(METRICS.dbOperationDuration, true);
  histogram.keepExemplars();
  const values = [...REDIS_DURATION_BUCKETS_SECONDS, 20];
  for (let series = 0; series < MAX_EXEMPLAR_SERIES; series += 1) {
    const attributes = { 'db.system.name': 'redis', 'db.operation.name': `OP${series}` };
    for (const value of values) {
      const span = withSpans ? { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), traceFlags: 1 } : undefined;
      histogram.record(value, attributes, span);
    }
  }
  return histogram;
}

const before = heapAfterGc();
const plain = fill(false);
const plainBytes = heapAfterGc() - before;
const beforeTraced = heapAfterGc();
const traced = fill(true);
const tracedBytes = heapAfterGc() - beforeTraced;
const exemplars = MAX_EXEMPLAR_SERIES * 14;
console.log(`${MAX_EXEMPLAR_SERIES} Redis series × 14 buckets: without exemplars ${(plainBytes / 1024).toFixed(0)} KiB, with an exemplar in every bucket ${(tracedBytes / 1024).toFixed(0)} KiB`);
console.log(`exemplars cost ${((tracedBytes - plainBytes) / 1024).toFixed(0)} KiB, ${((tracedBytes - plainBytes) / exemplars).toFixed(0)} bytes per exemplar (${exemplars} exemplars)`);
// Keep both alive until measured.
if (plain === traced) console.log('');
