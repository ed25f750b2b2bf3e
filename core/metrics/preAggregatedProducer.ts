/**
 * Exports the pre-aggregated histograms as the SDK's metric data, cumulative
 * from when each began recording. This is the only part of them that needs
 * the SDK: it is loaded with the agent's metric pipeline, not with capture.
 */
import { ValueType, type HrTime } from '@opentelemetry/api';
import { hrTime, millisToHrTime } from '@opentelemetry/core';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality, DataPointType, type CollectionResult, type HistogramMetricData, type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import type { PreAggregatedHistogram } from './preAggregatedHistogram';

function metricData(histogram: PreAggregatedHistogram, endTime: HrTime): HistogramMetricData {
  const { name, description, unit } = histogram.definition;
  const startTime = millisToHrTime(histogram.since);
  return {
    descriptor: { name, description, unit, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: [...histogram.series()].map((series) => ({
      attributes: series.attributes,
      startTime,
      endTime,
      value: {
        buckets: { boundaries: [...series.bounds], counts: [...series.counts] },
        sum: series.sum,
        count: series.count,
        min: series.min,
        max: series.max,
      },
    })),
  };
}

/** Exports pre-aggregated histograms under one instrumentation scope. */
export class PreAggregatedProducer implements MetricProducer {
  constructor(private readonly scope: { readonly name: string; readonly version: string }, private readonly histograms: readonly PreAggregatedHistogram[]) {}

  collect(): Promise<CollectionResult> {
    const endTime = hrTime();
    return Promise.resolve({
      resourceMetrics: {
        // The reader exports the SDK's resource with these; this one is not read.
        resource: emptyResource(),
        scopeMetrics: [{
          scope: this.scope,
          metrics: this.histograms.map((histogram) => metricData(histogram, endTime)).filter((metric) => metric.dataPoints.length > 0),
        }],
      },
      errors: [],
    });
  }
}
