/**
 * Builds the OpenTelemetry NodeSDK the way querylens needs it: explicit
 * readers and span processors (no surprise OTLP exporters), our
 * instrumentations, and Views that drop the upstream pg metrics so every pool
 * and duration series exists exactly once.
 */
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { AggregationType, PeriodicExportingMetricReader, type IMetricReader, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { envDetector, hostDetector, serviceInstanceIdDetector } from '@opentelemetry/resources';
import type { QuerylensConfig } from './config';
import { processIdentityDetector } from './processResource';
import { databaseHistograms } from '../core/metrics/databaseHistograms';
import { UPSTREAM_PG_SCOPE } from '../instrumentations/pg/upstreamSpans';
import { PgSpanStatusScrubber } from '../instrumentations/pg/spanStatusScrubber';

export interface SdkParts {
  readonly sdk: NodeSDK;
  /** Set when metrics are pulled: the agent server mounts its handler on /metrics. */
  readonly prometheus: PrometheusExporter | undefined;
}

function metricReaders(config: QuerylensConfig, prometheus: PrometheusExporter | undefined): IMetricReader[] {
  if (prometheus) return [prometheus];
  if (config.metricsExporter === 'otlp') {
    return [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), metricProducers: [databaseHistograms] })];
  }
  return [];
}

function spanProcessors(config: QuerylensConfig): SpanProcessor[] {
  const scrubber = new PgSpanStatusScrubber(UPSTREAM_PG_SCOPE);
  if (config.tracesExporter === 'otlp') return [scrubber, new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })];
  if (config.tracesExporter === 'console') return [scrubber, new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() })];
  return [];
}

/** The upstream pg instrumentation's metrics duplicate ours and are wrong for pools. */
const VIEWS: ViewOptions[] = [
  { meterName: UPSTREAM_PG_SCOPE, aggregation: { type: AggregationType.DROP } },
];

export function buildSdk(config: QuerylensConfig, serviceName: string, instrumentations: Instrumentation[]): SdkParts {
  const prometheus = config.metricsExporter === 'prometheus'
    ? new PrometheusExporter({ preventServerStart: true, host: config.prometheusHost, port: config.prometheusPort, metricProducers: [databaseHistograms] })
    : undefined;
  const sdk = new NodeSDK({
    serviceName,
    resourceDetectors: [envDetector, hostDetector, processIdentityDetector, serviceInstanceIdDetector],
    metricReaders: metricReaders(config, prometheus),
    views: VIEWS,
    spanProcessors: spanProcessors(config),
    // No log pipeline: querylens exports metrics and traces only.
    logRecordProcessors: [],
    instrumentations: [...instrumentations, new RuntimeNodeInstrumentation()],
  });
  return { sdk, prometheus };
}
