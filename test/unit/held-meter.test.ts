import { MeterProvider, MetricReader, type DataPoint } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { HeldMeterProvider, MAX_HELD_RECORDS } from '../../core/metrics/heldMeter';

class Reader extends MetricReader {
  protected override onForceFlush(): Promise<void> { return Promise.resolve(); }
  protected override onShutdown(): Promise<void> { return Promise.resolve(); }
}

async function collected(reader: Reader): Promise<Map<string, { scope: string; points: DataPoint<unknown>[] }>> {
  const { resourceMetrics } = await reader.collect();
  const byName = new Map<string, { scope: string; points: DataPoint<unknown>[] }>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) byName.set(metric.descriptor.name, { scope: scope.scope.name, points: metric.dataPoints as DataPoint<unknown>[] });
  }
  return byName;
}

describe('HeldMeterProvider', () => {
  it('replays counters and histograms onto the real provider, under the scope each was made in', async () => {
    const held = new HeldMeterProvider();
    const errors = held.getMeter('querylens', '1.0.0').createCounter('redis_errors');
    const loads = held.getMeter('querylens-lru', '1.0.0').createHistogram('load_seconds');
    errors.add(0, { server: 'a' });
    errors.add(1, { server: 'a' });
    errors.add(1, { server: 'b' });
    loads.record(0.25);
    const reader = new Reader();
    const provider = new MeterProvider({ readers: [reader] });
    held.replayInto(provider);
    // The instrumentation's own instrument, made on the real meter after the switch, adds to the same series.
    provider.getMeter('querylens', '1.0.0').createCounter('redis_errors').add(1, { server: 'a' });
    const metrics = await collected(reader);
    expect(metrics.get('redis_errors')?.scope).toBe('querylens');
    expect(metrics.get('redis_errors')?.points.map((point) => [point.attributes.server, point.value])).toEqual([['a', 2], ['b', 1]]);
    expect(metrics.get('load_seconds')?.scope).toBe('querylens-lru');
    expect(metrics.get('load_seconds')?.points.map((point) => (point.value as { count: number }).count)).toEqual([1]);
  });

  it('keeps at most MAX_HELD_RECORDS records and counts the rest as dropped', async () => {
    const held = new HeldMeterProvider();
    const counter = held.getMeter('querylens').createCounter('flood');
    for (let i = 0; i < MAX_HELD_RECORDS + 5; i += 1) counter.add(1);
    expect(held.dropped).toBe(5);
    const reader = new Reader();
    held.replayInto(new MeterProvider({ readers: [reader] }));
    expect((await collected(reader)).get('flood')?.points[0]?.value).toBe(MAX_HELD_RECORDS);
  });

  it('observable instruments keep nothing: their callbacks are registered again on the real meter', () => {
    const gauge = new HeldMeterProvider().getMeter('querylens').createObservableGauge('pool_size');
    expect(() => gauge.addCallback((result) => result.observe(1))).not.toThrow();
  });
});
