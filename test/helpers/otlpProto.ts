/**
 * The OTLP protobuf messages, for receivers that decode what the exporters
 * send. The definitions are the OpenTelemetry proto files that ship with
 * dd-trace (a dev dependency, vendored there from opentelemetry-proto 1.7.0);
 * the OpenTelemetry JS packages encode by hand and ship none.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';

export const OTLP_PROTO_DIR = join(dirname(createRequire(import.meta.url).resolve('dd-trace/package.json')), 'packages/dd-trace/src/opentelemetry/otlp');

/** How decoded messages look: the shape of the OTLP/JSON encoding (camelCase fields, 64-bit integers as strings). */
export const DECODE_AS_JSON = { longs: String, enums: String, bytes: String, defaults: false } as const;

let root: protobuf.Root | undefined;

function otlpRoot(): protobuf.Root {
  root ??= protobuf.loadSync(['metrics_service.proto', 'trace_service.proto'].map((file) => join(OTLP_PROTO_DIR, file)));
  return root;
}

export type OtlpSignal = 'metrics' | 'traces';

const REQUEST_TYPES: Record<OtlpSignal, string> = {
  metrics: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
};

export function decodeOtlpProtobuf(signal: OtlpSignal, body: Uint8Array): unknown {
  const type = otlpRoot().lookupType(REQUEST_TYPES[signal]);
  return type.toObject(type.decode(body), DECODE_AS_JSON);
}
