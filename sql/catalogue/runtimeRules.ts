/**
 * What the runtime detectors report, as plain data: their behaviour lives in
 * recording/ (which this layer cannot import), their id, category, severity
 * and wording here, so the catalogue, `querylens rules`, SARIF and
 * QUERYLENS_RULES know them. A new detector is one entry below; its code
 * raises `runtimeFinding('its-id', message)`.
 */
import type { StaticFinding } from '../../core/statementAnalysis';
import type { RuleMetadata } from './ruleMetadata';

export const RUNTIME_RULES = {
  'n-plus-one': {
    category: 'performance',
    severity: 'warning',
    description: 'The same statement executed QUERYLENS_N_PLUS_ONE times or more in one unit of the app\'s work (a request, or the app\'s active span), QUERYLENS_N_PLUS_ONE_MIN_MS (50 ms) or more in total: one query per item of a list (N+1 loop).',
    suggestion: 'Load the rows in one statement (a JOIN, or WHERE id = ANY($1) with the collected ids) instead of one query per item.',
  },
  'slow-query': {
    category: 'performance',
    severity: 'warning',
    description: 'An execution slower than QUERYLENS_SLOW_QUERY_MS; read-only statements are EXPLAINed and shown with their plan.',
    suggestion: 'Read its EXPLAIN plan: add an index on the filtered or joined columns, read fewer rows, or cache the result when it repeats.',
  },
  'unbounded-result': {
    category: 'performance',
    severity: 'warning',
    description: 'A SELECT without LIMIT or FETCH FIRST that returned more than QUERYLENS_UNBOUNDED_ROWS rows to the app.',
    suggestion: 'Paginate (keyset pagination: WHERE id > $1 ORDER BY id LIMIT $2) or aggregate in SQL instead of loading every row into the app.',
  },
  'literal-built-sql': {
    category: 'security',
    severity: 'warning',
    description: 'One fingerprint arriving as 20 or more distinct texts with inline literal values: SQL built by string concatenation.',
    suggestion: 'Pass values as bound parameters ($1, $2, …) instead of concatenating them into the SQL text: it closes the injection path and lets PostgreSQL reuse plans.',
  },
  'cache-candidate': {
    category: 'performance',
    severity: 'info',
    description: 'A read-only statement without volatile functions whose parameter sets repeat, listed with an estimated hit rate and time saved (the report\'s cache candidates).',
    suggestion: 'Cache its result by its parameters (querylens/cache), invalidated when the tables it reads change.',
  },
  'missing-index': {
    category: 'performance',
    severity: 'warning',
    description: 'The index advisor found an index that cuts the estimated cost of an explained statement by half or more (verified with HypoPG where the database has it, else estimated from pg_stats); the report\'s index suggestions give the CREATE INDEX statement and every statement it helps.',
    suggestion: 'Run the CREATE INDEX CONCURRENTLY statement of the message (outside a transaction block), then ANALYZE the table; the finding goes once the plan uses the index.',
  },
} as const satisfies Readonly<Record<string, RuleMetadata>>;

export type RuntimeRuleId = keyof typeof RUNTIME_RULES;

/** A detector's finding: its catalogue entry with the message of this occurrence. */
export function runtimeFinding(id: RuntimeRuleId, message: string): StaticFinding {
  const { category, severity, suggestion } = RUNTIME_RULES[id];
  return { rule: id, category, severity, message, suggestion };
}
