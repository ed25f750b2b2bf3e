/**
 * An in-process OpenTelemetry setup around our ioredis instrumentation for the
 * ioredis tests: metrics collected on demand, spans in memory.
 */
import type { Attributes } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { METRICS } from '../../core/metrics/registry';
import { IoredisInstrumentation } from '../../instrumentations/ioredis/instrumentation';
import { RedisStatistics } from '../../recording/redisStatistics';
import { CacheMetricsReader } from './cacheMetrics';

export class IoredisHarness {
  readonly metrics = new CacheMetricsReader();
  readonly spans = new InMemorySpanExporter();
  readonly tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: this.spans })] });
  /** What recording counts per command for the report, as the agent wires it. */
  readonly statistics = new RedisStatistics();
  readonly instrumentation = new IoredisInstrumentation({ operations: this.statistics });

  constructor() {
    this.instrumentation.setTracerProvider(this.tracerProvider);
    this.instrumentation.setMeterProvider(this.metrics.provider);
  }

  /** The span processor exports asynchronously: flush before reading. */
  async finishedSpans(): Promise<ReadableSpan[]> {
    await this.tracerProvider.forceFlush();
    return this.spans.getFinishedSpans();
  }

  /** Forgets the spans so far, including those still being exported. */
  async resetSpans(): Promise<void> {
    await this.tracerProvider.forceFlush();
    this.spans.reset();
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

const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
export const REDIS_HOST = redisUrl.hostname;
export const REDIS_PORT = Number(redisUrl.port || 6379);

/** What the clean-up needs of an ioredis 5 or 6 client. */
interface TestClient {
  select(db: number): Promise<unknown>;
  keys(pattern: string): Promise<string[]>;
  del(...keys: string[]): Promise<number>;
  disconnect(): void;
}

/** Deletes the keys under `prefix` in `databases` (the Redis server is shared), then disconnects every client. */
export async function cleanUpRedis(cleaner: TestClient, prefix: string, databases: readonly number[], clients: readonly TestClient[]): Promise<void> {
  for (const db of databases) {
    await cleaner.select(db);
    const keys = await cleaner.keys(`${prefix}*`);
    if (keys.length) await cleaner.del(...keys);
  }
  for (const client of [cleaner, ...clients]) client.disconnect();
}
