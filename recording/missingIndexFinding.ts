/** The finding a statement gets when the index advisor keeps an index for it; the plan is shown with it. */
import type { StaticFinding } from '../core/statementAnalysis';
import { runtimeFinding, type RuntimeRuleId } from '../sql/catalogue/runtimeRules';
import type { IndexAdvice } from '../sql/advice/indexCandidate';
import type { KeptIndex } from './indexSuggestions';
import { formatCount } from '../sql/ruleWording';

export const MISSING_INDEX_RULE: RuntimeRuleId = 'missing-index';

const HOW: Readonly<Record<IndexAdvice['method'], string>> = {
  hypopg: 'verified with a HypoPG hypothetical index',
  statistics: 'estimated from pg_stats, unverified: HypoPG is not installed in this database',
};

export function missingIndexFinding(advice: KeptIndex): StaticFinding {
  const before = formatCount(Math.round(advice.costBefore));
  const after = formatCount(Math.round(advice.costAfter));
  return runtimeFinding(MISSING_INDEX_RULE, `${advice.ddl} cuts the statement's estimated cost from ${before} to ${after} (${HOW[advice.method]})`);
}
