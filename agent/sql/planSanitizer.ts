/**
 * An `EXPLAIN (FORMAT JSON)` plan made safe to keep and show. EXPLAIN runs
 * with the statement's own parameter values, and PostgreSQL prints them into
 * expressions (`Filter: (email = 'someone@example.com'::text)`). Every string
 * of the plan that is not a known identifier-like field goes through the same
 * constant-stripping scanner as statement texts, so `'…'` and numbers become
 * `?`; a string the scanner cannot read is replaced whole.
 */
import type { SqlParser } from './parser';
import { sanitizeSqlText } from './sanitizeSqlText';

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

interface PlanNode {
  readonly 'Node Type'?: unknown;
  readonly 'Relation Name'?: unknown;
  readonly 'Total Cost'?: unknown;
  readonly 'Plan Rows'?: unknown;
  readonly Plans?: unknown;
}

function isNode(value: unknown): value is PlanNode {
  return typeof value === 'object' && value !== null;
}

/** The root `Plan` node of `EXPLAIN (FORMAT JSON)` output (`[{ "Plan": {…} }]`). */
export function rootPlanNode(explainOutput: unknown): PlanNode | undefined {
  const first: unknown = Array.isArray(explainOutput) ? explainOutput[0] : explainOutput;
  if (!isNode(first)) return undefined;
  const plan = (first as { Plan?: unknown }).Plan;
  return isNode(plan) ? plan : undefined;
}

function describe(node: PlanNode): string {
  const relation = typeof node['Relation Name'] === 'string' ? ` on ${node['Relation Name']}` : '';
  return `${String(node['Node Type'] ?? 'Unknown')}${relation}`;
}

function findSeqScans(node: PlanNode, found: string[]): void {
  if (node['Node Type'] === 'Seq Scan') found.push(describe(node));
  if (Array.isArray(node.Plans)) for (const child of node.Plans) if (isNode(child)) findSeqScans(child, found);
}

/** One line for logs: `Gather (cost 4270.5, rows 1); Seq Scan on orders`. */
export function summarizePlan(explainOutput: unknown): string {
  const root = rootPlanNode(explainOutput);
  if (root === undefined) return 'no plan';
  const head = `${describe(root)} (cost ${String(root['Total Cost'] ?? '?')}, rows ${String(root['Plan Rows'] ?? '?')})`;
  const seqScans: string[] = [];
  findSeqScans(root, seqScans);
  const extra = seqScans.filter((scan) => scan !== describe(root));
  return extra.length === 0 ? head : `${head}; ${extra.join('; ')}`;
}
