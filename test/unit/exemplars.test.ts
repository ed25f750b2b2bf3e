import { createServer, type Server } from 'node:http';
import { TraceFlags, type SpanContext } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { BucketExemplars, EXEMPLAR_REFRESH_MS } from '../../core/metrics/bucketExemplars';
import { MAX_EXEMPLAR_SERIES, PreAggregatedHistogram } from '../../core/metrics/preAggregatedHistogram';
import { PreAggregatedProducer } from '../../core/metrics/preAggregatedProducer';
import { METRICS } from '../../core/metrics/registry';
import { metricsRoute, prefersOpenMetrics } from '../../http/metricsRoute';
import { toOpenMetrics } from '../../http/openMetrics';

function spanContext(n: number, traceFlags = TraceFlags.SAMPLED): SpanContext {
  return { traceId: n.toString(16).padStart(32, '0'), spanId: n.toString(16).padStart(16, '0'), traceFlags };
}

describe('BucketExemplars', () => {
  it('keeps per bucket the slowest sampled observation, until it is older than the refresh age', () => {
    const exemplars = new BucketExemplars(3);
    exemplars.offer(1, 0.2, spanContext(1));
    exemplars.offer(1, 0.1, spanContext(2));
    exemplars.offer(1, 0.3, spanContext(3, TraceFlags.NONE));
    exemplars.offer(2, 7, spanContext(4));
    const now = Date.now();
    expect(exemplars.read(now).map((exemplar) => exemplar?.spanId)).toEqual([undefined, spanContext(1).spanId, spanContext(4).spanId]);
    // Read after the refresh age: still shown, but the next observation of its bucket, however fast, replaces it.
    expect(exemplars.read(now + EXEMPLAR_REFRESH_MS + 1)[1]?.value).toBe(0.2);
    exemplars.offer(1, 0.05, spanContext(5));
    expect(exemplars.read(now)[1]).toMatchObject({ value: 0.05, traceId: spanContext(5).traceId });
  });
});

describe('PreAggregatedHistogram exemplars', () => {
  it('keeps none until switched on, and none on a histogram built without them', () => {
    const attributes = { 'db.operation.name': 'GET' };
    const withThem = new PreAggregatedHistogram(METRICS.dbOperationDuration, true);
    const without = new PreAggregatedHistogram(METRICS.dbReturnedRows);
    withThem.record(0.2, attributes, spanContext(1));
    without.keepExemplars();
    without.record(3, attributes, spanContext(1));
    const shown = (histogram: PreAggregatedHistogram) => [...histogram.series()].map((series) => histogram.exemplarsOf(series.attributes, Date.now()));
    expect(shown(withThem)).toEqual([undefined]);
    expect(shown(without)).toEqual([undefined]);
    withThem.keepExemplars();
    withThem.record(0.2, attributes, spanContext(2));
    expect(shown(withThem)[0]?.[5]).toMatchObject({ value: 0.2, spanId: spanContext(2).spanId });
  });

  it('keeps exemplars for at most MAX_EXEMPLAR_SERIES series', () => {
    const histogram = new PreAggregatedHistogram(METRICS.dbOperationDuration, true);
    histogram.keepExemplars();
    for (let i = 0; i < MAX_EXEMPLAR_SERIES + 20; i += 1) histogram.record(0.01, { 'db.collection.name': `t${i}` }, spanContext(i + 1));
    const points = [...histogram.series()];
    expect(points.filter((point) => histogram.exemplarsOf(point.attributes, Date.now()) !== undefined)).toHaveLength(MAX_EXEMPLAR_SERIES);
  });
});

describe('prefersOpenMetrics', () => {
  it.each([
    ['application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1', true],
    ['text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.5', false],
    ['application/openmetrics-text;q=0', false],
    ['*/*', false],
    [undefined, false],
  ])('%s: %s', (accept, expected) => {
    expect(prefersOpenMetrics(accept)).toBe(expected);
  });
});

describe('toOpenMetrics', () => {
  const classic = [
    '# HELP target_info Target metadata',
    '# TYPE target_info gauge',
    'target_info{service_name="a"} 1',
    '# HELP calls_total Calls, "quoted".',
    '# UNIT calls_total {call}',
    '# TYPE calls_total counter',
    'calls_total{x="1"} 3',
    '# HELP d Durations.',
    '# UNIT d s',
    '# TYPE d histogram',
    'd_count{a="1"} 2',
    'd_sum{a="1"} 0.3',
    'd_bucket{a="1",le="0.1"} 1',
    'd_bucket{a="1",le="+Inf"} 2',
    'd_count{a="2"} 1',
    'd_sum{a="2"} 5',
    'd_bucket{a="2",le="0.1"} 0',
    'd_bucket{a="2",le="+Inf"} 1',
    '',
  ].join('\n');
  const exemplar = (value: number, id: number) => ({ value, traceId: spanContext(id).traceId, spanId: spanContext(id).spanId, timestampMs: 1_700_000_000_123 });

  it('names counter families without _total, escapes help quotes, drops UNIT, ends with # EOF, and adds exemplars to their buckets', () => {
    const text = toOpenMetrics(classic, new Map([['d', [[exemplar(0.05, 1), exemplar(0.25, 2)], [undefined, exemplar(5, 3)]]]]));
    expect(text).toBe([
      '# HELP target_info Target metadata',
      '# TYPE target_info gauge',
      'target_info{service_name="a"} 1',
      '# HELP calls Calls, \\"quoted\\".',
      '# TYPE calls counter',
      'calls_total{x="1"} 3',
      '# HELP d Durations.',
      '# TYPE d histogram',
      'd_count{a="1"} 2',
      'd_sum{a="1"} 0.3',
      `d_bucket{a="1",le="0.1"} 1 # {trace_id="${spanContext(1).traceId}",span_id="${spanContext(1).spanId}"} 0.05 1700000000.123`,
      `d_bucket{a="1",le="+Inf"} 2 # {trace_id="${spanContext(2).traceId}",span_id="${spanContext(2).spanId}"} 0.25 1700000000.123`,
      'd_count{a="2"} 1',
      'd_sum{a="2"} 5',
      'd_bucket{a="2",le="0.1"} 0',
      `d_bucket{a="2",le="+Inf"} 1 # {trace_id="${spanContext(3).traceId}",span_id="${spanContext(3).spanId}"} 5 1700000000.123`,
      '# EOF',
      '',
    ].join('\n'));
  });

  it('shows no exemplar whose value lies above its bucket', () => {
    const text = toOpenMetrics(classic, new Map([['d', [[exemplar(0.5, 1)]]]]));
    expect(text).not.toContain('trace_id');
  });
});

describe('metricsRoute', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => { server?.close(() => resolve()); }));

  async function serve(withExemplars: boolean): Promise<{ url: string; exporter: PrometheusExporter }> {
    const histogram = new PreAggregatedHistogram(METRICS.dbOperationDuration, true);
    histogram.keepExemplars();
    histogram.record(0.2, { 'db.system.name': 'postgresql' }, spanContext(7));
    const exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: [new PreAggregatedProducer({ name: 'querylens', version: 'test' }, [histogram])] });
    new MeterProvider({ readers: [exporter] }).getMeter('app').createCounter('calls').add(1);
    const route = metricsRoute(exporter, withExemplars ? [histogram] : []);
    server = createServer(route);
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/metrics`, exporter };
  }

  const OPENMETRICS = { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' };

  it('answers OpenMetrics with the exemplar on the bucket when asked for it', async () => {
    const { url } = await serve(true);
    const response = await fetch(url, { headers: OPENMETRICS });
    expect(response.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    const body = await response.text();
    expect(body.endsWith('# EOF\n')).toBe(true);
    expect(body).toMatch(new RegExp(`^db_client_operation_duration_bucket\\{db_system_name="postgresql",.*le="0\\.5"\\} 1 # \\{trace_id="${spanContext(7).traceId}",span_id="${spanContext(7).spanId}"\\} 0\\.2 \\d+\\.\\d{3}$`, 'm'));
    expect(body).toContain('# TYPE calls counter\ncalls_total{');
  });

  it('answers the classic text exactly as the exporter does without an OpenMetrics Accept, or without exemplars', async () => {
    const { url } = await serve(true);
    const classic = await fetch(url);
    expect(classic.headers.get('content-type')).toBe('text/plain');
    const body = await classic.text();
    expect(body).not.toContain('trace_id');
    expect(body).toContain('db_client_operation_duration_bucket{');
    await new Promise<void>((resolve) => { server?.close(() => resolve()); });
    const off = await serve(false);
    const negotiated = await fetch(off.url, { headers: OPENMETRICS });
    expect(negotiated.headers.get('content-type')).toBe('text/plain');
    expect(await negotiated.text()).toBe(body);
  });
});
