import { AggregationTemporality, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { DeltaHistogramProducer } from '../../core/metrics/deltaHistograms';
import { PreAggregatedHistogram } from '../../core/metrics/preAggregatedHistogram';
import { PreAggregatedProducer } from '../../core/metrics/preAggregatedProducer';
import { METRICS } from '../../core/metrics/registry';

async function collected(producer: DeltaHistogramProducer): Promise<HistogramMetricData> {
  const { resourceMetrics } = await producer.collect();
  return resourceMetrics.scopeMetrics[0]!.metrics[0] as HistogramMetricData;
}

describe('DeltaHistogramProducer', () => {
  it('exports what was recorded since the previous collection, and leaves out series with nothing new', async () => {
    const histogram = new PreAggregatedHistogram(METRICS.dbOperationDuration);
    const producer = new DeltaHistogramProducer(new PreAggregatedProducer({ name: 'querylens', version: 'test' }, [histogram]));
    const get = { 'db.operation.name': 'GET' };
    const set = { 'db.operation.name': 'SET' };
    histogram.record(0.002, get);
    histogram.record(0.2, set);
    const first = await collected(producer);
    expect(first.aggregationTemporality).toBe(AggregationTemporality.DELTA);
    expect(first.dataPoints.map((point) => point.value.count)).toEqual([1, 1]);
    histogram.record(0.003, get);
    histogram.record(7, get);
    const second = await collected(producer);
    expect(second.dataPoints).toHaveLength(1);
    const [point] = second.dataPoints;
    expect(point!.attributes).toEqual(get);
    expect(point!.value.count).toBe(2);
    // The interval's min and max cannot be told from two totals.
    expect([point!.value.min, point!.value.max]).toEqual([undefined, undefined]);
    expect(point!.value.sum).toBeCloseTo(7.003, 9);
    expect(point!.value.buckets.counts).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 1, 0]);
    // The interval starts where the previous one ended.
    expect(point!.startTime).toEqual(first.dataPoints[0]!.endTime);
  });
});
