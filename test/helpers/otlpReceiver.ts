/**
 * An OTLP/HTTP receiver for tests, standing in for the OpenTelemetry
 * Collector: it answers every export with 200, keeps the raw bodies (to
 * search them for leaked values, whatever the encoding) and decodes the JSON
 * encoding (what querylens's OTLP/HTTP exporters send) into data points and spans.
 */
import { createServer, type Server } from 'node:http';

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
}

export interface ExportedSpan {
  readonly name: string;
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
  histogram?: { dataPoints: { attributes?: KeyValue[]; count?: string | number }[] };
  sum?: { dataPoints: { attributes?: KeyValue[] }[] };
  gauge?: { dataPoints: { attributes?: KeyValue[] }[] };
}
interface JsonMetricsRequest { resourceMetrics?: { scopeMetrics?: { metrics?: JsonMetric[] }[] }[] }
interface JsonSpan { name: string; attributes?: KeyValue[]; events?: { name: string; attributes?: KeyValue[] }[] }
interface JsonTracesRequest { resourceSpans?: { scopeSpans?: { scope?: { name?: string }; spans?: JsonSpan[] }[] }[] }

export class OtlpReceiver {
  readonly requests: OtlpRequest[] = [];
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.requests.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
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

  private json<T>(path: string): T[] {
    return this.requests
      .filter((request) => request.path === path && request.contentType.includes('json'))
      .map((request) => JSON.parse(request.body.toString('utf8')) as T);
  }

  dataPoints(): DataPoint[] {
    const points: DataPoint[] = [];
    for (const request of this.json<JsonMetricsRequest>('/v1/metrics')) {
      for (const resource of request.resourceMetrics ?? []) {
        for (const scope of resource.scopeMetrics ?? []) {
          for (const metric of scope.metrics ?? []) {
            for (const point of metric.histogram?.dataPoints ?? []) {
              points.push({ metric: metric.name, attributes: attributes(point.attributes), count: Number(point.count ?? 0) });
            }
            for (const point of [...(metric.sum?.dataPoints ?? []), ...(metric.gauge?.dataPoints ?? [])]) {
              points.push({ metric: metric.name, attributes: attributes(point.attributes) });
            }
          }
        }
      }
    }
    return points;
  }

  spans(): ExportedSpan[] {
    const spans: ExportedSpan[] = [];
    for (const request of this.json<JsonTracesRequest>('/v1/traces')) {
      for (const resource of request.resourceSpans ?? []) {
        for (const scope of resource.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            spans.push({
              name: span.name,
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
