import { MeterProvider, MetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { MAX_SERIES_PER_HISTOGRAM, PreAggregatedHistogram, PreAggregatedProducer } from '../../core/metrics/preAggregatedHistogram';
import { METRICS } from '../../core/metrics/registry';

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

  it('sends attribute sets past the cap to one overflow series, as the SDK does', async () => {
    const histogram = new PreAggregatedHistogram(METRICS.dbOperationDuration);
    for (let i = 0; i < MAX_SERIES_PER_HISTOGRAM + 50; i += 1) histogram.record(0.01, { 'db.collection.name': `t${i}` });
    const points = (await collect(histogram))!.dataPoints;
    expect(points).toHaveLength(MAX_SERIES_PER_HISTOGRAM + 1);
    expect(points.find((p) => p.attributes['otel.metric.overflow'] === true)?.value.count).toBe(50);
  });
});
