/**
 * Input series for the promtool cases, labelled as the querylens exporter labels them:
 * the configured job, an instance, and the `otel_scope_*` labels every series carries,
 * so an expression that forgets to aggregate them away fails its test.
 */
import type { MetricDefinition } from '../../../core/metrics/registry';
import { bucketsOf, QUERYLENS_SCOPE } from '../../../core/metrics/registry';
import { LABEL } from '../../shared/labels';
import { bucket, count } from '../../shared/promql';
import type { AlertCase, InputSeries, Severity } from './alertSpec';

export const FIXTURE_INSTANCE = 'app-1:9464';
const QUERYLENS_SCOPE_VERSION = '0.1.0';
/** The meter name `@opentelemetry/instrumentation-runtime-node` records under. */
const RUNTIME_SCOPE = '@opentelemetry/instrumentation-runtime-node';
const RUNTIME_SCOPE_VERSION = '0.37.0';
/** Samples per series: with a 1m interval, 30 minutes, enough for every `for:` up to 15m. */
export const SAMPLES = 30;
export const EVAL_TIME = '25m';

/**
 * One event, at minute 11, evaluated two minutes later: on a series exported at 0 before
 * it (`fromZero`), and on one that only appears with it (`bornAtIt`), which rate() and
 * increase() cannot see. `settled`: long enough after it for a 5-minute window to forget it.
 */
export const SINGLE_EVENT = { fromZero: '0x10 1x20', bornAtIt: '_x10 1x20', evalTime: '13m', settled: '20m' } as const;

type Labels = Readonly<Record<string, string>>;

export class Fixtures {
  constructor(readonly job: string) {}

  /** The labels an alert aggregated `by (job, instance)` keeps. */
  target(extra: Labels = {}): Labels {
    return { [LABEL.job]: this.job, [LABEL.instance]: FIXTURE_INSTANCE, ...extra };
  }

  /**
   * The two cases that prove an alert sees one `event`: on a series exported at 0 it fires
   * with value 1; on a series born at the event (never exported at 0) it cannot.
   */
  singleEventCases(metric: string, labels: Labels, event: string, severity: Severity): AlertCase[] {
    return [
      { name: `one ${event} on a series exported at 0`, series: [this.series(metric, labels, SINGLE_EVENT.fromZero)],
        evalTime: SINGLE_EVENT.evalTime, firing: [{ severity, labels: this.target(labels), value: '1' }] },
      { name: `one ${event} on a series born at it (not exported at 0)`, series: [this.series(metric, labels, SINGLE_EVENT.bornAtIt)],
        evalTime: SINGLE_EVENT.evalTime, firing: [] },
    ];
  }

  series(metric: string, labels: Labels, values: string): InputSeries {
    return this.withScope(metric, labels, values, QUERYLENS_SCOPE, QUERYLENS_SCOPE_VERSION);
  }

  runtime(metric: string, labels: Labels, values: string): InputSeries {
    return this.withScope(metric, labels, values, RUNTIME_SCOPE, RUNTIME_SCOPE_VERSION);
  }

  /** Prometheus' own `up` series: no scope labels. */
  up(job: string, values: string): InputSeries {
    return { series: render('up', { [LABEL.job]: job, [LABEL.instance]: FIXTURE_INSTANCE }), values };
  }

  /** A counter growing by `perMinute` every minute. */
  counter(metric: string, labels: Labels, perMinute: number): InputSeries {
    return this.series(metric, labels, perMinute === 0 ? `0x${SAMPLES}` : `0+${perMinute}x${SAMPLES}`);
  }

  gauge(metric: string, labels: Labels, value: number): InputSeries {
    return this.series(metric, labels, `${value}x${SAMPLES}`);
  }

  /**
   * A seconds histogram whose `perMinute` observations all land in the bucket that ends at
   * `upperBound`, plus its `_count`: a quantile then interpolates inside that one bucket.
   */
  histogram(def: MetricDefinition, labels: Labels, upperBound: number, perMinute: number): InputSeries[] {
    const bounds = [...bucketsOf(def, labels[LABEL.dbSystem]).map(String), '+Inf'];
    const growing = `0+${perMinute}x${SAMPLES}`;
    const flat = `0x${SAMPLES}`;
    return [
      ...bounds.map((le) => this.series(bucket(def), { ...labels, [LABEL.le]: le },
        le === '+Inf' || Number(le) >= upperBound ? growing : flat)),
      this.series(count(def), labels, growing),
    ];
  }

  private withScope(metric: string, labels: Labels, values: string, scope: string, version: string): InputSeries {
    return {
      series: render(metric, {
        [LABEL.job]: this.job,
        [LABEL.instance]: FIXTURE_INSTANCE,
        [LABEL.otelScopeName]: scope,
        [LABEL.otelScopeVersion]: version,
        ...labels,
      }),
      values,
    };
  }
}

function render(metric: string, labels: Labels): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  return `${metric}{${pairs.join(', ')}}`;
}
