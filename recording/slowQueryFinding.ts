/** The finding a statement slower than QUERYLENS_SLOW_QUERY_MS gets; its EXPLAIN plan is shown with it. */
import type { StaticFinding } from '../core/statementAnalysis';

export const SLOW_QUERY_RULE = 'slow-query';

export function slowQueryFinding(durationMs: number, thresholdMs: number): StaticFinding {
  return {
    rule: SLOW_QUERY_RULE,
    category: 'performance',
    severity: 'warning',
    message: `Statement took ${Math.round(durationMs)} ms (threshold ${thresholdMs} ms)`,
    suggestion: 'Read its EXPLAIN plan: add an index on the filtered or joined columns, read fewer rows, or cache the result when it repeats.',
  };
}
