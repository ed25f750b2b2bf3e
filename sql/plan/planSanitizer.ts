/**
 * An `EXPLAIN (FORMAT JSON)` plan made safe to keep and show. EXPLAIN runs
 * with the statement's own parameter values, and PostgreSQL prints them into
 * expressions (`Filter: (email = 'someone@example.com'::text)`). Every string
 * of the plan that is not a known identifier-like field goes through the same
 * constant-stripping scanner as statement texts, so `'…'` and numbers become
 * `?`; a string the scanner cannot read is replaced whole.
 */
import type { SqlParser } from '../parse/parser';
import { describeNode, planNodes, readPlan } from './planNode';
import { sanitizeSqlText } from '../parse/sanitizeSqlText';

/** Fields whose strings are names or enumerations chosen by PostgreSQL, never values. */
const IDENTIFIER_FIELDS: ReadonlySet<string> = new Set([
  'Node Type', 'Parent Relationship', 'Relation Name', 'Schema', 'Alias', 'Index Name',
  'Join Type', 'Strategy', 'Scan Direction', 'Partial Mode', 'Operation', 'Sort Method',
  'Sort Space Type', 'Command', 'CTE Name', 'Subplan Name', 'Function Name', 'Setop',
]);

export const REDACTED = '<redacted>';

function sanitizeExpression(text: string, parser: SqlParser): string {
  return sanitizeSqlText(text, parser) ?? REDACTED;
}

function sanitizeValue(value: unknown, field: string | undefined, parser: SqlParser): unknown {
  if (typeof value === 'string') return field !== undefined && IDENTIFIER_FIELDS.has(field) ? value : sanitizeExpression(value, parser);
  if (Array.isArray(value)) return value.map((item) => sanitizeValue(item, field, parser));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = sanitizeValue(item, key, parser);
    return out;
  }
  return value;
}

/** A deep copy of the plan without literal values. */
export function sanitizePlan(plan: unknown, parser: SqlParser): unknown {
  return sanitizeValue(plan, undefined, parser);
}

/** One line for logs: `Gather (cost 4270.5, rows 1); Seq Scan on "orders"`. */
export function summarizePlan(explainOutput: unknown): string {
  const tree = readPlan(explainOutput);
  if (tree === undefined) return 'no plan';
  const { root } = tree;
  const head = `${describeNode(root)} (cost ${root.totalCost}, rows ${root.planRows})`;
  const seqScans = planNodes(root).filter((node) => node !== root && node.nodeType === 'Seq Scan').map(describeNode);
  return seqScans.length === 0 ? head : `${head}; ${seqScans.join('; ')}`;
}
