/**
 * One catalogue of every finding querylens can raise: the statement rules
 * (`sql/rules/`), the plan rules (`sql/planRules/`), the runtime detectors
 * (`runtimeRules.ts`, behaviour in recording/) and what lint says about a
 * file. `querylens rules`, SARIF, QUERYLENS_RULES and suppression comments
 * all read it, so every id has a severity, a category, docs and a switch.
 */
import type { StatementSource } from '../rule';
import { ALL_RULES } from '../rules/index';
import { PLAN_RULES } from '../plan/analyzePlan';
import { LINT_RULES } from './lintRules';
import type { RuleMetadata } from './ruleMetadata';
import { RUNTIME_RULES } from './runtimeRules';

/** What raises a rule's findings: a statement's parse tree, an EXPLAIN plan, a runtime detector, or lint reading a file. */
export type RuleKind = 'statement' | 'plan' | 'runtime' | 'lint';

export interface CatalogueEntry extends RuleMetadata {
  /** kebab-case, stable: used in QUERYLENS_RULES, suppression comments, metrics and lint output. */
  readonly id: string;
  readonly kind: RuleKind;
  /** Where its findings can appear: `runtime` in the agent, `file` in `querylens lint`. */
  readonly sources: readonly StatementSource[];
}

const BOTH: readonly StatementSource[] = ['runtime', 'file'];
const RUNTIME: readonly StatementSource[] = ['runtime'];
const FILE: readonly StatementSource[] = ['file'];

function entry(id: string, kind: RuleKind, sources: readonly StatementSource[], metadata: RuleMetadata): CatalogueEntry {
  const { category, severity, description, suggestion, fix } = metadata;
  return { id, kind, sources, category, severity, description, suggestion, ...(fix === undefined ? {} : { fix }) };
}

/** In the order of docs/rules.md: statement rules, plan rules, runtime detectors, lint's own. */
export const RULE_CATALOGUE: readonly CatalogueEntry[] = [
  ...ALL_RULES.map((rule) => entry(rule.id, 'statement', rule.sources ?? BOTH, rule)),
  ...PLAN_RULES.map((rule) => entry(rule.id, 'plan', RUNTIME, rule)),
  ...Object.entries(RUNTIME_RULES).map(([id, metadata]) => entry(id, 'runtime', RUNTIME, metadata)),
  ...LINT_RULES.map((rule) => entry(rule.id, 'lint', FILE, rule)),
];

export const CATALOGUE_IDS: ReadonlySet<string> = new Set(RULE_CATALOGUE.map((rule) => rule.id));
