/**
 * Which runtime detectors and plan rules QUERYLENS_RULES leaves on, decided
 * once when the recorder is made (statement rules are filtered where
 * statements are analysed). A statement's own suppression comments
 * (`StatementAnalysis.suppressedRules`) then turn rules off for it alone.
 */
import type { StatementAnalysis } from '../core/statementAnalysis';
import { RUNTIME_RULES, type RuntimeRuleId } from '../sql/catalogue/runtimeRules';
import { PLAN_RULES } from '../sql/plan/analyzePlan';
import type { PlanRule } from '../sql/plan/planRule';

export interface RuleSwitches {
  readonly detectors: Readonly<Record<RuntimeRuleId, boolean>>;
  readonly planRules: readonly PlanRule[];
}

/** Every detector of the catalogue, so a new entry in RUNTIME_RULES needs nothing here. */
function detectorSwitches(disabled: ReadonlySet<string>): Record<RuntimeRuleId, boolean> {
  const switches = {} as Record<RuntimeRuleId, boolean>;
  for (const id of Object.keys(RUNTIME_RULES) as RuntimeRuleId[]) switches[id] = !disabled.has(id);
  return switches;
}

export function ruleSwitches(disabled: ReadonlySet<string>): RuleSwitches {
  return { detectors: detectorSwitches(disabled), planRules: PLAN_RULES.filter((rule) => !disabled.has(rule.id)) };
}

/** Whether a detector judges this execution: on in the configuration and not suppressed by a comment in its text. */
export function detectorOn(switches: RuleSwitches, id: RuntimeRuleId, analysis: StatementAnalysis): boolean {
  return switches.detectors[id] && analysis.suppressedRules?.has(id) !== true;
}

/** The plan rules that judge this statement's plans. */
export function planRulesFor(switches: RuleSwitches, analysis: StatementAnalysis): readonly PlanRule[] {
  const suppressed = analysis.suppressedRules;
  return suppressed === undefined || suppressed.size === 0 ? switches.planRules : switches.planRules.filter((rule) => !suppressed.has(rule.id));
}
