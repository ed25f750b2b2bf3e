/**
 * Renders rule groups as a Prometheus rule file: one rule per alert severity, the texts
 * as Go templates, a runbook link per alert. Monitoring-mixin limits are enforced here.
 */
import type { AlertSpec, DescriptionContext } from './alertSpec';
import type { RuleGroupSpec } from './ruleGroups';

export const MAX_RULES_PER_GROUP = 20;
export const DEFAULT_RUNBOOK_URL = 'docs/runbooks.md';

export interface RuleFileOptions {
  /** Base of every `runbook_url`; the alert's anchor is appended. */
  readonly runbookUrl: string;
  /** Replaces every `for:` (end-to-end runs cannot wait minutes). */
  readonly forOverride?: string;
}

export const runbookAnchor = (alertName: string): string => alertName.toLowerCase();

/** The description as a Go template: labels and the formatted value filled in by Prometheus. */
function goTemplate(spec: AlertSpec): DescriptionContext {
  return { label: (name) => `{{ $labels.${name} }}`, value: `{{ $value | ${spec.valueFormat} }}` };
}

export function renderRuleFile(groups: readonly RuleGroupSpec[], options: RuleFileOptions): object {
  return {
    groups: groups.map((group) => {
      const rules = [
        ...group.recording.map((r) => ({ record: r.record, expr: r.expr })),
        ...group.alerts.flatMap((spec) => alertRules(spec, options)),
      ];
      if (rules.length > MAX_RULES_PER_GROUP) {
        throw new Error(`group ${group.name} has ${rules.length} rules; at most ${MAX_RULES_PER_GROUP}`);
      }
      return { name: group.name, rules };
    }),
  };
}

function alertRules(spec: AlertSpec, options: RuleFileOptions): object[] {
  if (!/^[A-Z][A-Za-z0-9]+$/.test(spec.name)) throw new Error(`alert name ${spec.name} is not CamelCase`);
  if (!spec.summary.endsWith('.')) throw new Error(`${spec.name}: summary must end with a period`);
  return spec.levels.map((level) => ({
    alert: spec.name,
    expr: level.expr,
    for: options.forOverride ?? level.for,
    labels: { severity: level.severity },
    annotations: {
      summary: spec.summary,
      description: spec.description(goTemplate(spec)),
      runbook_url: `${options.runbookUrl}#${runbookAnchor(spec.name)}`,
    },
  }));
}
