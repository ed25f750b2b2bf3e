/**
 * Histograms recorded on every database call, aggregated here instead of in
 * the OpenTelemetry SDK. The SDK sorts and serialises the attribute set on
 * every `record` to find its series (its largest cost per Redis command in
 * profiles); our instrumentations reuse the same attribute objects, so a
 * WeakMap lookup finds the series. The buckets, sum, count, min and max are
 * exported through a MetricProducer, cumulative, as the SDK would: the
 * Prometheus exporter and the OTLP reader cannot tell the difference.
 * Recording needs nothing of the SDK (preAggregatedProducer.ts exports), so
 * capture can record from the first statement, before the SDK has loaded.
 * A histogram built with exemplars keeps, once exemplars are switched on (when
 * spans are exported), the span of a recent slow observation per bucket
 * (bucketExemplars.ts) for the first MAX_EXEMPLAR_SERIES series.
 */
import type { Attributes, SpanContext } from '@opentelemetry/api';
import { ATTR, bucketsOf, type MetricDefinition } from './registry';
import { BucketExemplars, type Exemplar } from './bucketExemplars';

/** One series: its attributes and what has been recorded on it. */
export interface HistogramSeries {
  readonly attributes: Attributes;
  /** The series' bucket boundaries: the definition's, or its database system's (bucketsByDbSystem). */
  readonly bounds: readonly number[];
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
  readonly min: number;
  readonly max: number;
}

interface Point extends HistogramSeries {
  readonly counts: number[];
  sum: number;
  count: number;
  min: number;
  max: number;
  /** Made at the series' first traced observation, while exemplars are on and the series are within the cap. */
  exemplars: BucketExemplars | undefined;
}

/** What the instrumentations record database histograms in: the SDK's `record` with the span of the call (for exemplars) instead of a context. */
export interface DatabaseHistogram {
  record(value: number, attributes: Attributes, span?: SpanContext): void;
}

/** Series per histogram before new attribute sets go to one overflow series, as the SDK's cardinality limit does. */
export const MAX_SERIES_PER_HISTOGRAM = 2000;
const OVERFLOW_ATTRIBUTES: Attributes = { 'otel.metric.overflow': true };
/** Series per histogram that keep exemplars: bounds their memory (docs/hardening.md). */
export const MAX_EXEMPLAR_SERIES = 500;

function seriesKey(attributes: Attributes): string {
  return JSON.stringify(Object.keys(attributes).sort().map((key) => [key, attributes[key]]));
}

export class PreAggregatedHistogram implements DatabaseHistogram {
  /** When recording began (ms since epoch): the start of every cumulative series. */
  readonly since = Date.now();
  private readonly byObject = new WeakMap<Attributes, Point>();
  private readonly byKey = new Map<string, Point>();
  /** Data points' attributes (the objects series() hands out, which the producer exports) to their series, for the exposition's exemplars. */
  private readonly byShownAttributes = new WeakMap<Attributes, Point>();
  /** Undefined while exemplars are off; otherwise how many series keep them. */
  private exemplarSeries: number | undefined;

  constructor(readonly definition: MetricDefinition, private readonly withExemplars = false) {}

  /** From now on, traced observations leave exemplars (only for a histogram built with them). */
  keepExemplars(): void {
    if (this.withExemplars) this.exemplarSeries ??= 0;
  }

  /** The exemplars of a data point this histogram exported, per bucket; undefined when it has none. */
  exemplarsOf(dataPointAttributes: Attributes, nowMs: number): readonly (Exemplar | undefined)[] | undefined {
    return this.byShownAttributes.get(dataPointAttributes)?.exemplars?.read(nowMs);
  }

  /** The last series recorded: a pool's checkouts, a hot statement, repeat it call after call. */
  private lastAttributes: Attributes | undefined;
  private lastPoint: Point | undefined;

  record(value: number, attributes: Attributes = {}, span?: SpanContext): void {
    let point = attributes === this.lastAttributes ? this.lastPoint : this.byObject.get(attributes);
    if (point === undefined) {
      point = this.pointFor(attributes);
      this.byObject.set(attributes, point);
    }
    this.lastAttributes = attributes;
    this.lastPoint = point;
    const { bounds } = point;
    let bucket = 0;
    while (bucket < bounds.length && value > bounds[bucket]!) bucket += 1;
    point.counts[bucket]! += 1;
    point.sum += value;
    point.count += 1;
    if (value < point.min) point.min = value;
    if (value > point.max) point.max = value;
    if (span !== undefined && this.exemplarSeries !== undefined) this.offerExemplar(point, bucket, value, span);
  }

  private offerExemplar(point: Point, bucket: number, value: number, span: SpanContext): void {
    let { exemplars } = point;
    if (exemplars === undefined) {
      const series = this.exemplarSeries ?? MAX_EXEMPLAR_SERIES;
      if (series >= MAX_EXEMPLAR_SERIES) return;
      this.exemplarSeries = series + 1;
      exemplars = new BucketExemplars(point.counts.length);
      point.exemplars = exemplars;
    }
    exemplars.offer(bucket, value, span);
  }

  /** Every series so far, as the exporter reads them. */
  series(): IterableIterator<HistogramSeries> {
    return this.byKey.values();
  }

  private pointFor(attributes: Attributes): Point {
    let key = seriesKey(attributes);
    let shown = attributes;
    if (!this.byKey.has(key) && this.byKey.size >= MAX_SERIES_PER_HISTOGRAM) {
      key = seriesKey(OVERFLOW_ATTRIBUTES);
      shown = OVERFLOW_ATTRIBUTES;
    }
    let point = this.byKey.get(key);
    if (point === undefined) {
      const bounds = this.boundsFor(shown);
      point = { attributes: { ...shown }, bounds, counts: new Array<number>(bounds.length + 1).fill(0), sum: 0, count: 0, min: Infinity, max: -Infinity, exemplars: undefined };
      this.byKey.set(key, point);
      this.byShownAttributes.set(point.attributes, point);
    }
    return point;
  }

  private boundsFor(attributes: Attributes): readonly number[] {
    const system = attributes[ATTR.dbSystemName];
    return bucketsOf(this.definition, typeof system === 'string' ? system : undefined);
  }
}
