/**
 * Renders the promtool unit tests of every alert from the cases next to its definition:
 * one test per case, evaluated by the real promtool against the generated rule file.
 */
import type { AlertSpec } from './alertSpec';
import type { RuleFileOptions } from './ruleFile';
import { runbookAnchor } from './ruleFile';
import type { RuleGroupSpec } from './ruleGroups';

export function renderPromtoolTests(groups: readonly RuleGroupSpec[], ruleFilePath: string,
  options: RuleFileOptions): object {
  const alerts = groups.flatMap((g) => g.alerts);
  return {
    rule_files: [ruleFilePath],
    evaluation_interval: '1m',
    tests: alerts.flatMap((spec) => alertTests(spec, options)),
  };
}

function alertTests(spec: AlertSpec, options: RuleFileOptions): object[] {
  const severities = new Set(spec.levels.map((l) => l.severity));
  const fired = new Set(spec.cases.flatMap((c) => c.firing.map((f) => f.severity)));
  const missing = [...severities].filter((s) => !fired.has(s));
  if (missing.length > 0 || !spec.cases.some((c) => c.firing.length === 0)) {
    throw new Error(`${spec.name}: needs a case firing each severity (${missing.join(', ') || 'ok'}) and a quiet case`);
  }
  return spec.cases.map((c) => ({
    name: `${spec.name}: ${c.name}`,
    interval: '1m',
    input_series: c.series.map((s) => ({ series: s.series, values: s.values })),
    alert_rule_test: [{
      eval_time: c.evalTime,
      alertname: spec.name,
      exp_alerts: c.firing.map((f) => ({
        exp_labels: { severity: f.severity, ...f.labels },
        exp_annotations: {
          summary: spec.summary,
          description: spec.description({ label: (name) => labelValue(spec, f.labels, name), value: f.value }),
          runbook_url: `${options.runbookUrl}#${runbookAnchor(spec.name)}`,
        },
      })),
    }],
  }));
}

function labelValue(spec: AlertSpec, labels: Readonly<Record<string, string>>, name: string): string {
  const value = labels[name];
  if (value === undefined) throw new Error(`${spec.name}: description uses label ${name} the alert does not keep`);
  return value;
}
