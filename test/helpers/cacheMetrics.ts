/**
 * Reads querylens cache metrics from an in-process MeterProvider, collected
 * on demand, for the cache tests.
 */
import type { Attributes } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { QUERYLENS_SCOPE } from '../../core/metrics/registry';
import { DATABASE_HISTOGRAMS } from '../../core/metrics/databaseHistograms';
import { PreAggregatedProducer } from '../../core/metrics/preAggregatedProducer';

class CollectingReader extends MetricReader {
  constructor() {
    // The database histograms are aggregated by the agent, as the agent's own readers export them.
    super({ metricProducers: [new PreAggregatedProducer({ name: QUERYLENS_SCOPE, version: 'test' }, DATABASE_HISTOGRAMS)] });
  }

  protected override onForceFlush(): Promise<void> { return Promise.resolve(); }
  protected override onShutdown(): Promise<void> { return Promise.resolve(); }
}

function matches(attributes: Attributes, wanted: Attributes): boolean {
  return Object.entries(wanted).every(([key, value]) => attributes[key] === value);
}

export class CacheMetricsReader {
  readonly reader = new CollectingReader();
  readonly provider = new MeterProvider({ readers: [this.reader] });
  readonly meter = this.provider.getMeter(QUERYLENS_SCOPE);

  async points(name: string): Promise<DataPoint<unknown>[]> {
    const { resourceMetrics } = await this.reader.collect();
    const metric = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === name);
    return (metric?.dataPoints ?? []) as DataPoint<unknown>[];
  }

  /** Sum of the values (counter or gauge) of the points whose attributes include `wanted`. */
  async value(name: string, wanted: Attributes): Promise<number> {
    return (await this.points(name))
      .filter((point) => matches(point.attributes, wanted))
      .reduce((sum, point) => sum + (point.value as number), 0);
  }

  /** Count and sum of the histogram points whose attributes include `wanted`. */
  async histogram(name: string, wanted: Attributes): Promise<{ count: number; sum: number }> {
    let count = 0;
    let sum = 0;
    for (const point of await this.points(name)) {
      if (!matches(point.attributes, wanted)) continue;
      const value = point.value as Histogram;
      count += value.count;
      sum += value.sum ?? 0;
    }
    return { count, sum };
  }

  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}
