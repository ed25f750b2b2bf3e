/** The finding a statement slower than QUERYLENS_SLOW_QUERY_MS gets; its EXPLAIN plan is shown with it. */
import type { StaticFinding } from '../core/statementAnalysis';
import { runtimeFinding, type RuntimeRuleId } from '../sql/catalogue/runtimeRules';

export const SLOW_QUERY_RULE: RuntimeRuleId = 'slow-query';

export function slowQueryFinding(durationMs: number, thresholdMs: number): StaticFinding {
  return runtimeFinding(SLOW_QUERY_RULE, `Statement took ${Math.round(durationMs)} ms (threshold ${thresholdMs} ms)`);
}
