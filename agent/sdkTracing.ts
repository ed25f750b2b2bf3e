/**
 * The agent's tracer provider and its span processors. Required by sdk.ts only
 * when spans are exported (OTEL_TRACES_EXPORTER=otlp or console): an agent that
 * exports no traces, the default, never loads the trace SDK, its exporters or
 * the context manager.
 */
import type { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { QuerylensConfig } from './config';
import type * as OtlpExporters from './otlpExporters';
import { UPSTREAM_PG_SCOPE } from '../instrumentations/pg/upstreamScope';
import { PgSpanStatusScrubber } from '../instrumentations/pg/spanStatusScrubber';

export { offerTracingToTheProcess } from './processTracing';

function exportingProcessor({ tracesExporter, tracesProtocol }: QuerylensConfig): SpanProcessor | undefined {
  if (tracesExporter === 'otlp') {
    // The OTLP exporter (and the protobuf or gRPC code it brings) only when chosen.
    const { otlpSpanExporter } = require('./otlpExporters') as typeof OtlpExporters;
    return new BatchSpanProcessor({ exporter: otlpSpanExporter(tracesProtocol) });
  }
  if (tracesExporter === 'console') return new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() });
  return undefined;
}

/** Undefined when no exporter is chosen: no span would reach anybody. */
export function buildTracerProvider(config: QuerylensConfig, resource: Resource): TracerProvider | undefined {
  const exporting = exportingProcessor(config);
  if (!exporting) return undefined;
  return new TracerProvider({ resource, spanProcessors: [new PgSpanStatusScrubber(UPSTREAM_PG_SCOPE), exporting] });
}
