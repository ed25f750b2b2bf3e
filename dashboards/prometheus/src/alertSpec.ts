/**
 * What an alert is, independently of the YAML it becomes: the expression's measured
 * signal (evaluated alone by the end-to-end test), one rule per severity, the texts, and
 * the promtool cases that prove each severity fires and stays quiet.
 */
export type Severity = 'critical' | 'warning' | 'info';

/** Go template functions Prometheus applies to `$value` in the description. */
export type ValueFormat = 'humanize' | 'humanizePercentage' | 'humanizeDuration';

/** Renders a description: as a Go template in the rule file, as plain text in promtool's expectation. */
export interface DescriptionContext {
  label(name: string): string;
  readonly value: string;
}

export interface AlertLevel {
  readonly severity: Severity;
  readonly expr: string;
  /** How long the condition must hold; the generator can shorten it for end-to-end runs. */
  readonly for: string;
}

/** One input series in promtool's expanding notation, e.g. `0+60x30`. */
export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

export interface ExpectedAlert {
  readonly severity: Severity;
  /** Labels of the alert besides `alertname` and `severity`. */
  readonly labels: Readonly<Record<string, string>>;
  /** `$value` as the description's template function prints it. */
  readonly value: string;
}

export interface AlertCase {
  readonly name: string;
  readonly series: readonly InputSeries[];
  readonly evalTime: string;
  /** Empty: the alert must not fire. */
  readonly firing: readonly ExpectedAlert[];
}

export interface AlertSpec {
  /** CamelCase alert name; its lower-case form is the anchor in docs/runbooks.md. */
  readonly name: string;
  /** The measured quantity without the threshold; must return data when its metrics exist. */
  readonly signal: string;
  readonly levels: readonly AlertLevel[];
  /** Plain text ending with a period. */
  readonly summary: string;
  readonly description: (ctx: DescriptionContext) => string;
  readonly valueFormat: ValueFormat;
  readonly cases: readonly AlertCase[];
}

/** An alert expression `signal > threshold`; set operators in the signal get parentheses. */
export function above(signal: string, threshold: number): string {
  return `${guard(signal)} > ${threshold}`;
}

export function below(signal: string, threshold: number): string {
  return `${guard(signal)} < ${threshold}`;
}

function guard(signal: string): string {
  return /\b(and|or|unless)\b/.test(signal) ? `(${signal})` : signal;
}

/** A warning and its critical twin on one signal: same name, higher threshold, often a shorter `for:`. */
export function twinLevels(signal: string, thresholds: { readonly warning: number; readonly critical: number },
  durations: { readonly warning: string; readonly critical: string }): AlertLevel[] {
  return [
    { severity: 'warning', expr: above(signal, thresholds.warning), for: durations.warning },
    { severity: 'critical', expr: above(signal, thresholds.critical), for: durations.critical },
  ];
}
