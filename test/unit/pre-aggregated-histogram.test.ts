import { MeterProvider, MetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { MAX_SERIES_PER_HISTOGRAM, PreAggregatedHistogram } from '../../core/metrics/preAggregatedHistogram';
import { PreAggregatedProducer } from '../../core/metrics/preAggregatedProducer';
import { DURATION_BUCKETS_SECONDS, METRICS, REDIS_DURATION_BUCKETS_SECONDS } from '../../core/metrics/registry';

class Reader extends MetricReader {
  protected override onForceFlush(): Promise<void> { return Promise.resolve(); }
  protected override onShutdown(): Promise<void> { return Promise.resolve(); }
}

async function collect(histogram: PreAggregatedHistogram): Promise<HistogramMetricData | undefined> {
  const reader = new Reader({ metricProducers: [new PreAggregatedProducer({ name: 'querylens', version: 'test' }, [histogram])] });
  new MeterProvider({ readers: [reader] });
  const { resourceMetrics } = await reader.collect();
  const scope = resourceMetrics.scopeMetrics.find((s) => s.scope.name === 'querylens');
  return scope?.metrics.find((m) => m.descriptor.name === METRICS.dbOperationDuration.name) as HistogramMetricData | undefined;
}

describe('PreAggregatedHistogram', () => {
  it('buckets like an explicit-bucket histogram (upper bound inclusive), one series per attribute set', async () => {
    const histogram = new PreAggregatedHistogram(METRICS.dbOperationDuration);
    const get = { 'db.operation.name': 'GET' };
    histogram.record(0.001, get);
    histogram.record(0.003, get);
    histogram.record(20, get);
    // An equal attribute set in another object is the same series.
    histogram.record(0.002, { 'db.operation.name': 'GET' });
    histogram.record(0.5, { 'db.operation.name': 'SET' });
    const data = await collect(histogram);
    expect(data?.descriptor).toMatchObject({ name: 'db.client.operation.duration', unit: 's' });
    expect(data?.dataPoints).toHaveLength(2);
    const point = data!.dataPoints.find((p) => p.attributes['db.operation.name'] === 'GET')!;
    expect(point.value.buckets.boundaries).toEqual([...METRICS.dbOperationDuration.buckets!]);
    // (…, 0.001] gets 0.001; (0.001, 0.005] gets 0.002 and 0.003; 20 is past the last bound (10).
    expect(point.value.buckets.counts).toEqual([1, 2, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(point.value).toMatchObject({ count: 4, min: 0.001, max: 20 });
    expect(point.value.sum).toBeCloseTo(20.006, 9);
  });

  it('gives Redis series the sub-millisecond buckets and other systems the semantic-convention ones', async () => {
    const histogram = new PreAggregatedHistogram(METRICS.dbOperationDuration);
    histogram.record(0.0002, { 'db.system.name': 'redis', 'db.operation.name': 'GET' });
    histogram.record(0.0002, { 'db.system.name': 'postgresql', 'db.operation.name': 'SELECT' });
    const data = await collect(histogram);
    const bySystem = (system: string) => data!.dataPoints.find((p) => p.attributes['db.system.name'] === system)!.value.buckets;
    expect(bySystem('redis').boundaries).toEqual([...REDIS_DURATION_BUCKETS_SECONDS]);
    // 0.2 ms: (0.0001, 0.00025] for Redis; the first bucket, (…, 0.001], for PostgreSQL.
    expect(bySystem('redis').counts.indexOf(1)).toBe(1);
    expect(bySystem('postgresql').boundaries).toEqual([...DURATION_BUCKETS_SECONDS]);
    expect(bySystem('postgresql').counts.indexOf(1)).toBe(0);
    // The semantic-convention boundaries stay a subset, so Redis quantiles above 1 ms read the same.
    expect(DURATION_BUCKETS_SECONDS.every((bound) => (REDIS_DURATION_BUCKETS_SECONDS as readonly number[]).includes(bound))).toBe(true);
  });

  it('sends attribute sets past the cap to one overflow series, as the SDK does', async () => {
    const histogram = new PreAggregatedHistogram(METRICS.dbOperationDuration);
    for (let i = 0; i < MAX_SERIES_PER_HISTOGRAM + 50; i += 1) histogram.record(0.01, { 'db.collection.name': `t${i}` });
    const points = (await collect(histogram))!.dataPoints;
    expect(points).toHaveLength(MAX_SERIES_PER_HISTOGRAM + 1);
    expect(points.find((p) => p.attributes['otel.metric.overflow'] === true)?.value.count).toBe(50);
  });
});
