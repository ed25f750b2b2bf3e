/**
 * The agent's own OpenTelemetry pipeline: a meter provider and, when spans
 * are exported, a tracer provider, both private to the agent. They are handed
 * to the agent's instrumentations explicitly and never registered as the
 * process's global meter provider or propagator, so an app that starts its
 * own SDK keeps every global it registers (docs/design-differences.md).
 * Views drop the upstream pg metrics so every pool and duration series
 * exists exactly once.
 */
import type { Meter, MeterProvider as ApiMeterProvider, TracerProvider as ApiTracerProvider } from '@opentelemetry/api';
import { ProxyTracerProvider } from '@opentelemetry/api';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { AggregationType, MeterProvider, PeriodicExportingMetricReader, type IMetricReader, type MetricProducer, type ViewOptions } from '@opentelemetry/sdk-metrics';
import type { TracerProvider } from '@opentelemetry/sdk-trace';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { defaultResource, detectResources, envDetector, hostDetector, resourceFromAttributes, serviceInstanceIdDetector, type Resource } from '@opentelemetry/resources';
import type { QuerylensConfig } from './config';
import { processIdentityDetector } from './processResource';
import { DATABASE_HISTOGRAMS, DB_OPERATION_DURATION } from '../core/metrics/databaseHistograms';
import { PreAggregatedProducer } from '../core/metrics/preAggregatedProducer';
import { metricsRoute, type MetricsHandler } from '../http/metricsRoute';
import type * as DeltaHistograms from '../core/metrics/deltaHistograms';
import type * as OtlpExporters from './otlpExporters';
import { ATTR, QUERYLENS_SCOPE } from '../core/metrics/registry';
import { AGENT_VERSION } from '../core/version';
import type * as SdkTracing from './sdkTracing';
import { UPSTREAM_PG_SCOPE } from '../instrumentations/pg/upstreamScope';

export interface AgentTelemetry {
  /** Set when metrics are pulled. */
  readonly prometheus: PrometheusExporter | undefined;
  /** The agent server mounts it on /metrics when metrics are pulled. */
  readonly metricsRoute: MetricsHandler | undefined;
  /** The agent's own meter, from its private meter provider. */
  readonly meter: Meter;
  /** That provider, for what capture recorded before it existed (HeldMeterProvider.replayInto). */
  readonly meterProvider: ApiMeterProvider;
  /** Hooks the instrumentations with the agent's providers. */
  start(): void;
  /** Exports what is buffered (pushed metrics and spans). */
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Required only for a delta OTLP reader. */
function deltaOf(cumulative: MetricProducer): MetricProducer {
  const { DeltaHistogramProducer } = require('../core/metrics/deltaHistograms') as typeof DeltaHistograms;
  return new DeltaHistogramProducer(cumulative);
}

// The OTLP exporters (and the protobuf or gRPC code they bring) are required
// only when chosen: loading them costs the app's start-up more than the rest of the SDK.
function metricReaders(config: QuerylensConfig, prometheus: PrometheusExporter | undefined, histograms: MetricProducer): IMetricReader[] {
  if (prometheus) return [prometheus];
  if (config.metricsExporter === 'otlp') {
    const otlp = require('./otlpExporters') as typeof OtlpExporters;
    const exporter = otlp.otlpMetricExporter(config.metricsProtocol, config.metricsTemporality);
    // The reader reads no variable itself; an export may not outlast the interval (the reader refuses that).
    const exportIntervalMillis = config.metricExportIntervalMs;
    const exportTimeoutMillis = Math.min(config.metricExportTimeoutMs, exportIntervalMillis);
    return [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis, exportTimeoutMillis, metricProducers: [otlp.histogramsAreDelta(config.metricsTemporality) ? deltaOf(histograms) : histograms] })];
  }
  return [];
}

/** The upstream pg instrumentation's metrics duplicate ours and are wrong for pools. */
const VIEWS: ViewOptions[] = [
  { meterName: UPSTREAM_PG_SCOPE, aggregation: { type: AggregationType.DROP } },
];

/** What the SDK's defaults, the chosen detectors and the service name say about this process. */
function agentResource(serviceName: string): Resource {
  const detectors = [envDetector, hostDetector, processIdentityDetector, serviceInstanceIdDetector];
  return defaultResource()
    .merge(detectResources({ detectors }))
    .merge(resourceFromAttributes({ [ATTR.serviceName]: serviceName }));
}

/** The trace SDK is loaded only when spans are exported (sdkTracing.ts). */
function tracingFor(config: QuerylensConfig): typeof SdkTracing | undefined {
  return config.tracesExporter === 'none' ? undefined : (require('./sdkTracing') as typeof SdkTracing);
}

export function buildTelemetry(config: QuerylensConfig, serviceName: string, instrumentations: Instrumentation[]): AgentTelemetry {
  const histograms = new PreAggregatedProducer({ name: QUERYLENS_SCOPE, version: AGENT_VERSION }, DATABASE_HISTOGRAMS);
  const prometheus = config.metricsExporter === 'prometheus'
    ? new PrometheusExporter({ preventServerStart: true, host: config.prometheusHost, port: config.prometheusPort, metricProducers: [histograms] })
    : undefined;
  const resource = agentResource(serviceName);
  const meterProvider = new MeterProvider({ resource, views: VIEWS, readers: metricReaders(config, prometheus, histograms) });
  const tracing = tracingFor(config);
  const tracerProvider: TracerProvider | undefined = tracing?.buildTracerProvider(config, resource);
  // Without an exporter no span is made: a provider with no delegate hands out no-op tracers.
  const spans: ApiTracerProvider = tracerProvider ?? new ProxyTracerProvider();
  // Exemplars point at traces: kept only when spans go to a backend, shown only on a scrape.
  const exemplars = prometheus && config.tracesExporter === 'otlp' ? [DB_OPERATION_DURATION] : [];
  return {
    prometheus,
    metricsRoute: prometheus ? metricsRoute(prometheus, exemplars) : undefined,
    meter: meterProvider.getMeter(QUERYLENS_SCOPE, AGENT_VERSION),
    meterProvider,
    start: () => {
      for (const histogram of exemplars) histogram.keepExemplars();
      registerInstrumentations({ instrumentations: [...instrumentations, new RuntimeNodeInstrumentation()], tracerProvider: spans, meterProvider });
      if (tracing && tracerProvider) tracing.offerTracingToTheProcess(tracerProvider);
    },
    forceFlush: async () => {
      await Promise.all([meterProvider.forceFlush(), tracerProvider?.forceFlush()]);
    },
    shutdown: async () => {
      await Promise.all([meterProvider.shutdown(), tracerProvider?.shutdown()]);
    },
  };
}
