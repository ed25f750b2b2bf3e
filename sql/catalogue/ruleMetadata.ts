/** What every rule of the catalogue says about itself, whatever raises it. */
import type { RuleCategory, Severity } from '../../core/statementAnalysis';

export interface RuleMetadata {
  readonly category: RuleCategory;
  /** The severity its findings have (plan rules: the usual one; a hit may be graver or milder). */
  readonly severity: Severity;
  /** One line: what the rule looks for. */
  readonly description: string;
  /** What to do about it. */
  readonly suggestion: string;
  /** The rewrite its findings carry where it is safe (docs/rules.md, Fixes); absent for a rule that has none. */
  readonly fix?: string;
}
