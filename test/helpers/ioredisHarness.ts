/**
 * An in-process OpenTelemetry setup around our ioredis instrumentation for the
 * ioredis tests: metrics collected on demand, spans in memory.
 */
import type { Attributes } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { METRICS } from '../../agent/metrics/registry';
import { IoredisInstrumentation } from '../../instrumentations/ioredis/instrumentation';
import { CacheMetricsReader } from './cacheMetrics';

export class IoredisHarness {
  readonly metrics = new CacheMetricsReader();
  readonly spans = new InMemorySpanExporter();
  readonly tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: this.spans })] });
  readonly instrumentation = new IoredisInstrumentation();

  constructor() {
    this.instrumentation.setTracerProvider(this.tracerProvider);
    this.instrumentation.setMeterProvider(this.metrics.provider);
  }

  /** The span processor exports asynchronously: flush before reading. */
  async finishedSpans(): Promise<ReadableSpan[]> {
    await this.tracerProvider.forceFlush();
    return this.spans.getFinishedSpans();
  }

  async spansNamed(name: string): Promise<ReadableSpan[]> {
    return (await this.finishedSpans()).filter((span) => span.name === name);
  }

  async spanNames(): Promise<string[]> {
    return (await this.finishedSpans()).map((span) => span.name);
  }

  /** Observations of db.client.operation.duration whose attributes include `wanted`. */
  async durationCount(wanted: Attributes): Promise<number> {
    return (await this.metrics.histogram(METRICS.dbOperationDuration.name, wanted)).count;
  }
}
