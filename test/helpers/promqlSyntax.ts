/**
 * PromQL inspected through its syntax tree (`@prometheus-io/lezer-promql`, the parser of
 * the Prometheus UI), never by regular expressions: selectors, their matchers, the range
 * of each matrix selector and the function it feeds.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { METRICS, QUERYLENS_RUNTIME_METRICS, RUNTIME_METRICS } from '../../core/metrics/registry';
import type { MetricDefinition } from '../../core/metrics/registry';
import { NON_INSTRUMENT_SERIES } from '../../dashboards/shared/labels';

/** A node of the parser's tree (its own @lezer/common type, whichever copy the parser loaded). */
type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

/** Grafana variables become unusual but valid literals so the expression parses. */
export const GRAFANA_DURATION_SENTINELS: Readonly<Record<string, string>> = {
  $__rate_interval: '4242s',
  $__range: '4343s',
  $__interval: '4141s',
};

export function withGrafanaSentinels(expr: string): string {
  return Object.entries(GRAFANA_DURATION_SENTINELS)
    .reduce((text, [variable, literal]) => text.split(`[${variable}]`).join(`[${literal}]`), expr);
}

export interface Matcher { readonly label: string; readonly op: string; readonly value: string }

export interface Selector {
  readonly metric: string;
  readonly matchers: readonly Matcher[];
  /** Function whose argument this selector is, through a matrix selector: `rate`, `increase` … */
  readonly rangeFunction?: string;
  /** The range of the matrix selector, as written. */
  readonly range?: string;
}

export interface ParsedExpr {
  readonly errors: readonly string[];
  readonly selectors: readonly Selector[];
}

export function parsePromql(expr: string): ParsedExpr {
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const selectors: Selector[] = [];
  tree.iterate({
    enter(ref) {
      if (ref.type.isError) errors.push(`syntax error at ${ref.from}: ${JSON.stringify(expr.slice(ref.from, ref.from + 30))}`);
      if (ref.name === 'VectorSelector') selectors.push(selector(ref.node, expr));
    },
  });
  return { errors, selectors };
}

function selector(node: SyntaxNode, expr: string): Selector {
  const text = (n: SyntaxNode | null): string => (n ? expr.slice(n.from, n.to) : '');
  const matchers: Matcher[] = [];
  for (const m of node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
    matchers.push({
      label: text(m.getChild('LabelName')),
      op: text(m.getChild('MatchOp')),
      value: JSON.parse(text(m.getChild('StringLiteral'))) as string,
    });
  }
  const matrix = node.parent?.name === 'MatrixSelector' ? node.parent : null;
  // MatrixSelector → FunctionCallBody → FunctionCall, whose FunctionIdentifier names it.
  const call = matrix?.parent?.parent?.name === 'FunctionCall' ? matrix.parent.parent : null;
  return {
    metric: text(node.getChild('Identifier')),
    matchers,
    rangeFunction: call ? text(call.getChild('FunctionIdentifier')) : undefined,
    range: matrix ? text(matrix.getChild('DurationExpr') ?? matrix.lastChild) : undefined,
  };
}

/** Every registry definition the dashboards and rules may select from. */
export function registryDefinitions(): MetricDefinition[] {
  return [...Object.values(METRICS), ...Object.values(RUNTIME_METRICS), ...Object.values(QUERYLENS_RUNTIME_METRICS)];
}

/** The series a definition is scraped as: histograms as three families. */
export function seriesOf(def: MetricDefinition): string[] {
  return def.kind === 'histogram' ? [`${def.scraped}_bucket`, `${def.scraped}_sum`, `${def.scraped}_count`] : [def.scraped];
}

/** Every series name the registry (or Prometheus and the exporter themselves) provides. */
export function knownSeries(): Set<string> {
  return new Set([...registryDefinitions().flatMap(seriesOf), ...Object.values(NON_INSTRUMENT_SERIES)]);
}
