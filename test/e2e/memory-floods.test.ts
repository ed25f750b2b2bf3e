/**
 * Bounded memory under cardinality floods, in one app with the agent
 * preloaded: 100k distinct literal-built statements (1,000 statement shapes),
 * statements over thousands of generated table names, 10k distinct Redis key
 * patterns, thousands of named lru-caches. Heap after GC and RSS are printed
 * per phase and must plateau; every label stays within its cap and the
 * overflow is counted. (A longer soak: bench/soak.mjs.)
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPS, REGISTER_CJS, freePort } from '../helpers/agentProcess';
import { ChildApp } from '../helpers/childApp';
import { find, parseSamples, type Sample } from '../helpers/promText';
import { METRICS } from '../../core/metrics/registry';
import { MAX_CACHE_NAMES, MAX_REDIS_KEY_PATTERNS } from '../../instrumentations/cacheTelemetry/cacheStatistics';

interface Memory {
  readonly heapUsed: number;
  readonly rss: number;
}

const MAX_QUERIES = 50;
const STATEMENTS = 100_000;
const CHUNK = 20_000;
/** The OpenTelemetry SDK's default cardinality limit per metric stream. */
const SDK_CARDINALITY_LIMIT = 2000;

let app: ChildApp;
let port = 0;
const phases: string[] = [];

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function measured(phase: string): Promise<Memory> {
  const memory = await app.ask<Memory>('mem');
  phases.push(`${phase}: heap ${mb(memory.heapUsed)}, RSS ${mb(memory.rss)}`);
  return memory;
}

async function scrape(): Promise<{ samples: Sample[]; bytes: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return { samples: parseSamples(text), bytes: text.length };
}

function labelValues(samples: Sample[], name: string, label: string, labels: Record<string, string> = {}): Set<string> {
  return new Set(find(samples, name, labels).map((sample) => sample.labels[label]));
}

beforeAll(async () => {
  port = await freePort();
  app = new ChildApp(join(APPS, 'flood-app.cjs'), {
    nodeArgs: ['--expose-gc', '--require', REGISTER_CJS],
    env: {
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      QUERYLENS_MAX_QUERIES: String(MAX_QUERIES),
      // Analyse every new text (the default budget would group most of a flood by hash):
      // the worst case for the agent's statement cache and statistics.
      QUERYLENS_ANALYSIS_BUDGET_MS: '1000',
      QL_FLOOD_SHAPES: '1000',
    },
  });
  await app.waitForLine((line: { started?: boolean }) => line.started === true);
});

afterAll(async () => {
  await app.ask('stop').catch(() => undefined);
  await app.stop();
  console.log(`memory per phase (after GC):\n  ${phases.join('\n  ')}`);
});

describe('memory under floods', () => {
  it(`${STATEMENTS.toLocaleString('en-US')} distinct literal-built statements: heap and RSS plateau, fingerprints capped`, async () => {
    await app.ask('sql 0 2000', 60_000);
    await measured('warm (2k statements)');
    const after: Memory[] = [];
    for (let from = 0; from < STATEMENTS; from += CHUNK) {
      await app.ask(`sql ${2000 + from} ${2000 + from + CHUNK}`, 60_000);
      after.push(await measured(`${((from + CHUNK) / 1000).toFixed(0)}k statements`));
    }
    // The caches fill within the first chunks; after that, 60k more statements add nothing that stays.
    const settled = after[1];
    for (const memory of after.slice(2)) {
      expect(memory.heapUsed).toBeLessThan(settled.heapUsed * 1.15);
      expect(memory.rss).toBeLessThan(settled.rss * 1.15);
    }
    const { samples } = await scrape();
    const durationSeries = find(samples, `${METRICS.dbOperationDuration.scraped}_count`, { db_system_name: 'postgresql' });
    // One statement family: a few series (operation, table, error), never one per text or shape.
    expect(durationSeries.length).toBeLessThanOrEqual(4);
    expect(durationSeries.reduce((sum, sample) => sum + sample.value, 0)).toBe(STATEMENTS + 2000);
    const fingerprints = labelValues(samples, METRICS.queryCalls.scraped, 'fingerprint');
    phases.push(`query statistics: ${fingerprints.size} fingerprint series (${fingerprints.has('other') ? 'with' : 'without'} "other")`);
    expect(fingerprints.size).toBeLessThanOrEqual(MAX_QUERIES + 1);
    expect(fingerprints.has('other')).toBe(true);
  }, 240_000);

  it('statements over thousands of generated table names: duration series stop at the SDK cardinality limit', async () => {
    const tables = SDK_CARDINALITY_LIMIT + 500;
    await app.ask(`tables ${tables}`, 120_000);
    await measured(`${tables} table names`);
    const { samples, bytes } = await scrape();
    // The overflow series carries no other label, so: every series that is not Redis's.
    const series = find(samples, `${METRICS.dbOperationDuration.scraped}_count`).filter((sample) => sample.labels.db_system_name !== 'redis');
    phases.push(`db_client_operation_duration: ${series.length} series, /metrics ${mb(bytes)}`);
    // The limit's worth of attribute sets, plus the one overflow series.
    expect(series.length).toBeLessThanOrEqual(SDK_CARDINALITY_LIMIT + 1);
    // What did not fit is counted in the SDK's overflow series, not dropped.
    const overflow = series.filter((sample) => sample.labels.otel_metric_overflow === 'true');
    expect(overflow.length).toBe(1);
    expect(overflow[0].value).toBeGreaterThan(0);
  }, 180_000);

  it('10,000 Redis key patterns: at most MAX_REDIS_KEY_PATTERNS names, the rest under "other"', async () => {
    const patterns = 10_000;
    await app.ask(`redis ${patterns}`);
    await measured(`${patterns} Redis key patterns`);
    const { samples } = await scrape();
    const redisLookups = { cache_layer: 'redis' };
    const names = labelValues(samples, METRICS.cacheRequests.scraped, 'cache_name', redisLookups);
    expect(names.size).toBeLessThanOrEqual(MAX_REDIS_KEY_PATTERNS + 1);
    const other = find(samples, METRICS.cacheRequests.scraped, { ...redisLookups, cache_name: 'other' }).reduce((sum, sample) => sum + sample.value, 0);
    expect(other).toBeGreaterThanOrEqual(patterns - MAX_REDIS_KEY_PATTERNS);
  });

  it('thousands of named lru-caches: at most MAX_CACHE_NAMES names, and dropped caches are released', async () => {
    const caches = 3_000;
    await app.ask(`caches ${caches}`);
    const first = await measured(`${caches} caches`);
    await app.ask(`caches ${caches}`);
    const second = await measured(`${caches} more caches`);
    const { samples } = await scrape();
    const names = labelValues(samples, METRICS.cacheRequests.scraped, 'cache_name', { cache_layer: 'memory' });
    expect(names.size).toBeLessThanOrEqual(MAX_CACHE_NAMES + 1);
    expect(names.has('other')).toBe(true);
    expect(labelValues(samples, METRICS.cacheEntries.scraped, 'cache_name').size).toBeLessThanOrEqual(MAX_CACHE_NAMES + 1);
    // The second batch replaces the first: what the agent keeps of a dropped cache is bounded.
    expect(second.heapUsed).toBeLessThan(first.heapUsed * 1.15);
  });
});
