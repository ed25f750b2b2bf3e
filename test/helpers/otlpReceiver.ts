/**
 * An OTLP/HTTP receiver for tests, standing in for the OpenTelemetry
 * Collector: it answers every export with 200, keeps the raw bodies (to
 * search them for leaked values, whatever the encoding) and decodes both
 * encodings, JSON and protobuf, into data points and spans. The gRPC receiver
 * (otlpGrpcReceiver.ts) decodes into the same messages.
 */
import { createServer, type Server } from 'node:http';
import { decodeOtlpProtobuf, type OtlpSignal } from './otlpProto';

export interface OtlpRequest {
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
}

type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
interface KeyValue { key: string; value: AnyValue }

export type Attributes = Record<string, string | number | boolean | undefined>;

export interface DataPoint {
  readonly metric: string;
  readonly attributes: Attributes;
  readonly count?: number;
  /** A histogram's bucket counts; sums and gauges have none. */
  readonly bucketCounts?: readonly number[];
  /** `AGGREGATION_TEMPORALITY_DELTA` or `…_CUMULATIVE` for histograms and sums (the enum's name, as OTLP/JSON spells it, or its number). */
  readonly temporality?: string | number;
}

export interface ExportedSpan {
  readonly name: string;
  /** Hex, whatever the encoding (protobuf carries bytes). */
  readonly traceId: string;
  readonly spanId: string;
  readonly scope: string;
  readonly attributes: Attributes;
  readonly events: readonly { name: string; attributes: Attributes }[];
}

function attributes(list: readonly KeyValue[] | undefined): Attributes {
  const out: Attributes = {};
  for (const { key, value } of list ?? []) {
    out[key] = value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : value.doubleValue ?? value.boolValue);
  }
  return out;
}

interface JsonMetric {
  name: string;
  histogram?: { aggregationTemporality?: string | number; dataPoints: { attributes?: KeyValue[]; count?: string | number; bucketCounts?: (string | number)[] }[] };
  sum?: { aggregationTemporality?: string | number; dataPoints: { attributes?: KeyValue[] }[] };
  gauge?: { dataPoints: { attributes?: KeyValue[] }[] };
}
interface JsonMetricsRequest { resourceMetrics?: { scopeMetrics?: { metrics?: JsonMetric[] }[] }[] }
interface JsonSpan { name: string; traceId?: string; spanId?: string; attributes?: KeyValue[]; events?: { name: string; attributes?: KeyValue[] }[] }
interface JsonTracesRequest { resourceSpans?: { scopeSpans?: { scope?: { name?: string }; spans?: JsonSpan[] }[] }[] }

/** One export as the receiver decoded it, whatever the transport. */
export interface OtlpMessage {
  readonly signal: OtlpSignal;
  /** `application/json`, `application/x-protobuf`, or `grpc`. */
  readonly encoding: string;
  readonly message: unknown;
}

function metricPoints(metric: JsonMetric): DataPoint[] {
  const points: DataPoint[] = [];
  const histogram = metric.histogram;
  for (const point of histogram?.dataPoints ?? []) {
    points.push({
      metric: metric.name,
      attributes: attributes(point.attributes),
      count: Number(point.count ?? 0),
      bucketCounts: (point.bucketCounts ?? []).map(Number),
      temporality: histogram?.aggregationTemporality,
    });
  }
  for (const point of metric.sum?.dataPoints ?? []) points.push({ metric: metric.name, attributes: attributes(point.attributes), temporality: metric.sum?.aggregationTemporality });
  for (const point of metric.gauge?.dataPoints ?? []) points.push({ metric: metric.name, attributes: attributes(point.attributes) });
  return points;
}

/** The data points of one metrics export. */
export function dataPointsOf(message: OtlpMessage): DataPoint[] {
  if (message.signal !== 'metrics') return [];
  const request = message.message as JsonMetricsRequest;
  return (request.resourceMetrics ?? []).flatMap((resource) => (resource.scopeMetrics ?? []).flatMap((scope) => (scope.metrics ?? []).flatMap(metricPoints)));
}

/** What a Collector would see: the data points and spans of every export received. */
export class OtlpMessages {
  readonly messages: OtlpMessage[] = [];

  dataPoints(): DataPoint[] {
    return this.messages.flatMap(dataPointsOf);
  }

  spans(): ExportedSpan[] {
    const spans: ExportedSpan[] = [];
    for (const { signal, encoding, message } of this.messages) {
      if (signal !== 'traces') continue;
      // OTLP/JSON writes ids as hex; decoded protobuf bytes come as base64.
      const hex = (id: string | undefined) => (encoding === 'application/json' ? id ?? '' : Buffer.from(id ?? '', 'base64').toString('hex'));
      for (const resource of (message as JsonTracesRequest).resourceSpans ?? []) {
        for (const scope of resource.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            spans.push({
              name: span.name,
              traceId: hex(span.traceId),
              spanId: hex(span.spanId),
              scope: scope.scope?.name ?? '',
              attributes: attributes(span.attributes),
              events: (span.events ?? []).map((event) => ({ name: event.name, attributes: attributes(event.attributes) })),
            });
          }
        }
      }
    }
    return spans;
  }
}

const SIGNAL_PATHS: Readonly<Record<string, OtlpSignal>> = { '/v1/metrics': 'metrics', '/v1/traces': 'traces' };

function decoded(request: OtlpRequest): OtlpMessage | undefined {
  const signal = SIGNAL_PATHS[request.path];
  if (signal === undefined) return undefined;
  if (request.contentType.includes('json')) return { signal, encoding: 'application/json', message: JSON.parse(request.body.toString('utf8')) };
  if (request.contentType.includes('protobuf')) return { signal, encoding: 'application/x-protobuf', message: decodeOtlpProtobuf(signal, request.body) };
  return undefined;
}

export class OtlpReceiver extends OtlpMessages {
  readonly requests: OtlpRequest[] = [];
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request = { path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) };
        this.requests.push(request);
        const message = decoded(request);
        if (message) this.messages.push(message);
        // An empty export response is zero bytes in protobuf and `{}` in JSON.
        const json = request.contentType.includes('json');
        res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
        res.end(json ? '{}' : '');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  /** Every byte received, as text: the haystack for leak searches. */
  allBodies(): string {
    return this.requests.map((request) => request.body.toString('latin1')).join('\n');
  }
}
