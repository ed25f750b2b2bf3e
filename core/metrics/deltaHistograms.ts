/**
 * The pre-aggregated histograms (preAggregatedHistogram.ts) count since the
 * process started. An OTLP reader whose temporality preference is `delta` or
 * `lowmemory` wants each export to hold what happened since the previous one:
 * this producer subtracts the previous collection from the current one.
 * It keeps one snapshot per series (the series themselves are bounded), keyed
 * by the attribute object the cumulative producer hands out for the series'
 * whole life.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import {
  AggregationTemporality, DataPointType, type CollectionResult, type DataPoint, type Histogram, type MetricCollectOptions, type MetricData, type MetricProducer,
} from '@opentelemetry/sdk-metrics';

interface Snapshot {
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
  readonly endTime: HrTime;
}

export class DeltaHistogramProducer implements MetricProducer {
  private readonly previous = new WeakMap<Attributes, Snapshot>();

  constructor(private readonly cumulative: MetricProducer) {}

  async collect(options?: MetricCollectOptions): Promise<CollectionResult> {
    const result = await this.cumulative.collect(options);
    const { resource, scopeMetrics } = result.resourceMetrics;
    return {
      errors: result.errors,
      resourceMetrics: {
        resource,
        scopeMetrics: scopeMetrics.map(({ scope, metrics }) => ({ scope, metrics: metrics.map((metric) => this.deltaOf(metric)) })),
      },
    };
  }

  private deltaOf(metric: MetricData): MetricData {
    if (metric.dataPointType !== DataPointType.HISTOGRAM || metric.aggregationTemporality !== AggregationTemporality.CUMULATIVE) return metric;
    return {
      ...metric,
      aggregationTemporality: AggregationTemporality.DELTA,
      // A series with nothing new is left out, as the SDK does for delta instruments.
      dataPoints: metric.dataPoints.map((point) => this.pointDelta(point)).filter((point) => point.value.count > 0),
    };
  }

  /** The first interval starts with the series: its min and max hold. Later ones' are unknown from two totals and left out, which OTLP allows. */
  private pointDelta(point: DataPoint<Histogram>): DataPoint<Histogram> {
    const { counts } = point.value.buckets;
    const before = this.previous.get(point.attributes);
    this.previous.set(point.attributes, { counts: [...counts], sum: point.value.sum ?? 0, count: point.value.count, endTime: point.endTime });
    if (before === undefined) return point;
    return {
      ...point,
      startTime: before.endTime,
      value: {
        buckets: { boundaries: point.value.buckets.boundaries, counts: counts.map((count, bucket) => count - (before.counts[bucket] ?? 0)) },
        sum: (point.value.sum ?? 0) - before.sum,
        count: point.value.count - before.count,
      },
    };
  }
}
