/**
 * The OTLP exporter of each signal, for the protocol the configuration chose
 * (OTEL_EXPORTER_OTLP_PROTOCOL and the per-signal variables). Each exporter
 * package is required only here, only for the protocol chosen: the protobuf
 * and gRPC code they bring costs the app's start-up more than the rest of the
 * SDK, and an agent that pushes nothing loads none of them.
 */
import type * as MetricsGrpc from '@opentelemetry/exporter-metrics-otlp-grpc';
import type * as MetricsJson from '@opentelemetry/exporter-metrics-otlp-http';
import type * as MetricsProto from '@opentelemetry/exporter-metrics-otlp-proto';
import type * as TracesGrpc from '@opentelemetry/exporter-trace-otlp-grpc';
import type * as TracesJson from '@opentelemetry/exporter-trace-otlp-http';
import type * as TracesProto from '@opentelemetry/exporter-trace-otlp-proto';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { MetricsTemporality, OtlpProtocol } from './config';

function metricExporterClass(protocol: OtlpProtocol): typeof MetricsJson.OTLPMetricExporter | typeof MetricsProto.OTLPMetricExporter | typeof MetricsGrpc.OTLPMetricExporter {
  if (protocol === 'grpc') return (require('@opentelemetry/exporter-metrics-otlp-grpc') as typeof MetricsGrpc).OTLPMetricExporter;
  if (protocol === 'http/json') return (require('@opentelemetry/exporter-metrics-otlp-http') as typeof MetricsJson).OTLPMetricExporter;
  return (require('@opentelemetry/exporter-metrics-otlp-proto') as typeof MetricsProto).OTLPMetricExporter;
}

/** The exporter's own reading of the temporality variable is bypassed: ours warns as every other variable does. */
export function otlpMetricExporter(protocol: OtlpProtocol, temporality: MetricsTemporality): PushMetricExporter {
  // Every metric exporter is built on the JSON package, which holds the preference's values.
  const { AggregationTemporalityPreference: preference } = require('@opentelemetry/exporter-metrics-otlp-http') as typeof MetricsJson;
  const temporalityPreference = { cumulative: preference.CUMULATIVE, delta: preference.DELTA, lowmemory: preference.LOWMEMORY }[temporality];
  const Exporter = metricExporterClass(protocol);
  return new Exporter({ temporalityPreference });
}

function spanExporterClass(protocol: OtlpProtocol): typeof TracesJson.OTLPTraceExporter | typeof TracesProto.OTLPTraceExporter | typeof TracesGrpc.OTLPTraceExporter {
  if (protocol === 'grpc') return (require('@opentelemetry/exporter-trace-otlp-grpc') as typeof TracesGrpc).OTLPTraceExporter;
  if (protocol === 'http/json') return (require('@opentelemetry/exporter-trace-otlp-http') as typeof TracesJson).OTLPTraceExporter;
  return (require('@opentelemetry/exporter-trace-otlp-proto') as typeof TracesProto).OTLPTraceExporter;
}

export function otlpSpanExporter(protocol: OtlpProtocol): SpanExporter {
  const Exporter = spanExporterClass(protocol);
  return new Exporter();
}

/** Histograms are delta under both `delta` and `lowmemory` (the specification's table). */
export function histogramsAreDelta(temporality: MetricsTemporality): boolean {
  return temporality !== 'cumulative';
}
