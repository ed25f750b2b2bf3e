/**
 * PromQL text builders shared by the dashboard and rule generators. A `PromqlScope`
 * carries the matchers every selector must have: `$job`/`$instance` template variables
 * on dashboards, the configured job on alert rules; so no selector can forget them.
 */
import type { MetricDefinition } from '../../core/metrics/registry';
import { LABEL } from './labels';

/** A rendered label matcher, e.g. `db_system_name="postgresql"`. */
export type Matcher = string;

/**
 * A label value as a PromQL string literal. Any string is a valid label value (a job named
 * `checkout "eu"` included), and PromQL reads JSON's escapes (`\"`, `\\`, `\n`, `\uXXXX`).
 */
const quoted = (value: string): string => JSON.stringify(value);

export const eq = (label: string, value: string): Matcher => `${label}=${quoted(value)}`;
export const ne = (label: string, value: string): Matcher => `${label}!=${quoted(value)}`;
export const re = (label: string, pattern: string): Matcher => `${label}=~"${pattern}"`;

/** Histograms are scraped as three series families. */
export const bucket = (def: MetricDefinition): string => `${def.scraped}_bucket`;
export const count = (def: MetricDefinition): string => `${def.scraped}_count`;
export const sumOf = (def: MetricDefinition): string => `${def.scraped}_sum`;

export const by = (labels: readonly string[]): string => `by (${labels.join(', ')})`;

export class PromqlScope {
  constructor(private readonly scopeMatchers: readonly Matcher[]) {}

  select(metric: string, ...matchers: Matcher[]): string {
    return `${metric}{${[...this.scopeMatchers, ...matchers].join(', ')}}`;
  }

  rate(metric: string, window: string, ...matchers: Matcher[]): string {
    return `rate(${this.select(metric, ...matchers)}[${window}])`;
  }

  increase(metric: string, window: string, ...matchers: Matcher[]): string {
    return `increase(${this.select(metric, ...matchers)}[${window}])`;
  }

  sumRate(labels: readonly string[], metric: string, window: string, ...matchers: Matcher[]): string {
    return aggregate('sum', labels, this.rate(metric, window, ...matchers));
  }

  sumIncrease(labels: readonly string[], metric: string, window: string, ...matchers: Matcher[]): string {
    return aggregate('sum', labels, this.increase(metric, window, ...matchers));
  }

  /**
   * Increase over the window, summed by `labels`, of a counter split by `lateLabel` whose
   * values are only known when they first happen (an error type): such a series is born at
   * its first increment, which increase() cannot see. The agent exports the series without
   * `lateLabel` at 0 from the start; a split series with fewer samples in the window than
   * that one was born inside it, and counts its whole value. A Prometheus restart or a
   * scrape gap thins both alike, so old totals never count as new.
   */
  sumIncreaseWithLateLabel(labels: readonly string[], metric: string, window: string, lateLabel: string,
    ...matchers: Matcher[]): string {
    const split = this.select(metric, ...matchers, ne(lateLabel, ''));
    const unsplit = this.select(metric, ...matchers, eq(lateLabel, ''));
    const born = `(count_over_time(${split}[${window}]) < ignoring (${lateLabel}) group_left count_over_time(${unsplit}[${window}]))`;
    return aggregate('sum', labels, `(${this.increase(metric, window, ...matchers)} unless ${born}) or (${split} and ${born})`);
  }

  sumGauge(labels: readonly string[], metric: string, ...matchers: Matcher[]): string {
    return aggregate('sum', labels, this.select(metric, ...matchers));
  }

  maxGauge(labels: readonly string[], metric: string, ...matchers: Matcher[]): string {
    return aggregate('max', labels, this.select(metric, ...matchers));
  }

  /** φ-quantile of a histogram, aggregated over everything but `labels` (and `le`). */
  quantile(phi: number, labels: readonly string[], def: MetricDefinition, window: string,
    ...matchers: Matcher[]): string {
    return `histogram_quantile(${phi}, ${this.sumRate([...labels, LABEL.le], bucket(def), window, ...matchers)})`;
  }

  /** Mean of a histogram over the window: rate of the sum over rate of the count. */
  mean(labels: readonly string[], def: MetricDefinition, window: string, ...matchers: Matcher[]): string {
    return `${this.sumRate(labels, sumOf(def), window, ...matchers)} / ${this.sumRate(labels, count(def), window, ...matchers)}`;
  }

  /**
   * Share of a counter's rate matching `part` among all of it; both sides aggregated by
   * the same labels, which also drops the exporter's `otel_scope_*` labels.
   */
  rateRatio(labels: readonly string[], metric: string, window: string, part: readonly Matcher[],
    whole: readonly Matcher[] = []): string {
    return `${this.sumRate(labels, metric, window, ...whole, ...part)} / ${this.sumRate(labels, metric, window, ...whole)}`;
  }
}

export function aggregate(op: 'sum' | 'max' | 'min' | 'avg' | 'count', labels: readonly string[], expr: string): string {
  return labels.length === 0 ? `${op}(${expr})` : `${op} ${by(labels)} (${expr})`;
}
