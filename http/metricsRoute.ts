/**
 * `/metrics`: the Prometheus exporter's classic text exposition, unchanged,
 * unless histograms keep exemplars and the scraper negotiates OpenMetrics
 * (`Accept: application/openmetrics-text`, as Prometheus sends): then the
 * same metrics in OpenMetrics, with the exemplars on the bucket lines.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Exemplar } from '../core/metrics/bucketExemplars';
import type { PreAggregatedHistogram } from '../core/metrics/preAggregatedHistogram';
import { reportAgentError } from '../core/agentErrors';
import { OPENMETRICS_CONTENT_TYPE, toOpenMetrics, type FamilyExemplars } from './openMetrics';

export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => void;

function qualityOf(range: string): number {
  const q = /;\s*q=([0-9.]+)/i.exec(range)?.[1];
  return q === undefined ? 1 : Number(q);
}

/** True when the Accept header ranks OpenMetrics at least as high as the classic text format. */
export function prefersOpenMetrics(accept: string | undefined): boolean {
  let openMetrics = 0;
  let text = 0;
  for (const range of (accept ?? '').split(',')) {
    const type = range.split(';')[0]!.trim().toLowerCase();
    if (type === 'application/openmetrics-text') openMetrics = Math.max(openMetrics, qualityOf(range));
    else if (type === 'text/plain') text = Math.max(text, qualityOf(range));
  }
  return openMetrics > 0 && openMetrics >= text;
}

/**
 * Each histogram's exemplars, in the order its data points are exposed. A
 * family another metric shares gets none: its exposition order would not be
 * this histogram's alone.
 */
function exemplarsOf(resourceMetrics: ResourceMetrics, histograms: readonly PreAggregatedHistogram[], nowMs: number): FamilyExemplars {
  const byFamily = new Map<string, (readonly (Exemplar | undefined)[] | undefined)[]>();
  const metrics = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
  for (const histogram of histograms) {
    const { name, scraped } = histogram.definition;
    const same = metrics.filter((metric) => metric.descriptor.name === name);
    if (same.length !== 1) continue;
    byFamily.set(scraped, same[0]!.dataPoints.map((point) => histogram.exemplarsOf(point.attributes, nowMs)));
  }
  return byFamily;
}

/** `histograms`: those whose exemplars are shown; none, and every scrape gets the exporter's own answer. */
export function metricsRoute(prometheus: PrometheusExporter, histograms: readonly PreAggregatedHistogram[]): MetricsHandler {
  // Built as the exporter builds its own (no prefix, no timestamps), so both formats hold the same series.
  const serializer = new PrometheusSerializer();
  return (req, res) => {
    if (histograms.length === 0 || !prefersOpenMetrics(req.headers.accept)) {
      prometheus.getMetricsRequestHandler(req, res);
      return;
    }
    prometheus.collect().then(({ resourceMetrics }) => {
      const body = toOpenMetrics(serializer.serialize(resourceMetrics), exemplarsOf(resourceMetrics, histograms, Date.now()));
      res.writeHead(200, { 'content-type': OPENMETRICS_CONTENT_TYPE });
      res.end(body);
    }).catch((error: unknown) => {
      reportAgentError('server', error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end();
    });
  };
}
