/**
 * The Prometheus text exposition (what @opentelemetry/exporter-prometheus
 * writes) turned into the OpenMetrics 1.0 text format, with exemplars on the
 * bucket lines of the histograms that keep them. Pure: text and exemplars in,
 * text out. OpenMetrics differs where it matters here: a counter's family is
 * named without `_total` (its samples keep it), help text escapes quotes, no
 * comment lines but HELP, TYPE and UNIT, `unknown` for `untyped`, and `# EOF`
 * ends the exposition. UNIT lines are left out: OpenMetrics requires the
 * unit to end the family name, which OpenTelemetry names do not.
 */
import type { Exemplar } from '../core/metrics/bucketExemplars';

export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** Per histogram family (its scraped name), per data point in exposition order, per bucket. */
export type FamilyExemplars = ReadonlyMap<string, readonly (readonly (Exemplar | undefined)[] | undefined)[]>;

/** Where the exposition is within a histogram that has exemplars. */
interface HistogramCursor {
  readonly points: readonly (readonly (Exemplar | undefined)[] | undefined)[];
  point: number;
  /** The next bucket line's index within its point; 0 after a point's `+Inf` bucket. */
  bucket: number;
}

const LE = /[{,]le="([^"]*)"/;

function exemplarSuffix(exemplar: Exemplar): string {
  const seconds = (exemplar.timestampMs / 1000).toFixed(3);
  return ` # {trace_id="${exemplar.traceId}",span_id="${exemplar.spanId}"} ${exemplar.value} ${seconds}`;
}

function upperBound(le: string): number {
  return le === '+Inf' ? Infinity : Number(le);
}

/** A bucket line with its exemplar appended, when one is kept for it and lies within the bucket. */
function bucketLine(line: string, cursor: HistogramCursor): string {
  if (cursor.bucket === 0) cursor.point += 1;
  const le = LE.exec(line)?.[1] ?? '+Inf';
  const exemplar = cursor.points[cursor.point]?.[cursor.bucket];
  cursor.bucket = le === '+Inf' ? 0 : cursor.bucket + 1;
  return exemplar !== undefined && exemplar.value <= upperBound(le) ? line + exemplarSuffix(exemplar) : line;
}

function sampleName(line: string): string {
  const end = line.search(/[{ ]/);
  return end < 0 ? line : line.slice(0, end);
}

/** `# HELP name text` / `# TYPE name type`: the name and the rest. */
function descriptor(line: string, keyword: string): [string, string] {
  const body = line.slice(keyword.length + 3);
  const space = body.indexOf(' ');
  return space < 0 ? [body, ''] : [body.slice(0, space), body.slice(space + 1)];
}

export function toOpenMetrics(classic: string, exemplars: FamilyExemplars): string {
  const out: string[] = [];
  let help: [string, string] | undefined;
  let histogram: { readonly family: string; readonly cursor: HistogramCursor } | undefined;
  for (const line of classic.split('\n')) {
    if (line.startsWith('# HELP ')) {
      help = descriptor(line, 'HELP');
    } else if (line.startsWith('# TYPE ')) {
      const [name, type] = descriptor(line, 'TYPE');
      const family = type === 'counter' && name.endsWith('_total') ? name.slice(0, -'_total'.length) : name;
      if (help?.[0] === name) out.push(`# HELP ${family} ${help[1].replace(/"/g, '\\"')}`);
      out.push(`# TYPE ${family} ${type === 'untyped' ? 'unknown' : type}`);
      help = undefined;
      const points = type === 'histogram' ? exemplars.get(name) : undefined;
      histogram = points ? { family: name, cursor: { points, point: -1, bucket: 0 } } : undefined;
    } else if (line !== '' && !line.startsWith('#')) {
      out.push(histogram && sampleName(line) === `${histogram.family}_bucket` ? bucketLine(line, histogram.cursor) : line);
    }
  }
  out.push('# EOF');
  return `${out.join('\n')}\n`;
}
