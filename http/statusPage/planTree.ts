/**
 * An `EXPLAIN (FORMAT JSON)` plan as nested HTML lists, one item per plan
 * node with its children (`Plans`) inside: readable without a script. The
 * stored plan is already sanitized (constants as `?`); its strings are still
 * escaped, since relation names and expressions can hold markup.
 */
import { escapeHtml } from './escapeHtml';

type PlanNode = Readonly<Record<string, unknown>>;

/** Deeper plans are cut off with a note; no real plan comes near it. */
const MAX_DEPTH = 64;

/** Shown in the node's heading, or as its figures; everything else scalar becomes a detail line. */
const HEADING_KEYS = new Set(['Node Type', 'Join Type', 'Strategy', 'Relation Name', 'Alias', 'Index Name', 'Schema', 'Parent Relationship', 'Plans']);
const FIGURE_KEYS = ['Startup Cost', 'Total Cost', 'Plan Rows', 'Plan Width'] as const;
const QUIET_KEYS = new Set(['Parallel Aware', 'Async Capable', 'Startup Cost', 'Total Cost', 'Plan Rows', 'Plan Width']);

function isNode(value: unknown): value is PlanNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string' || typeof item === 'number')) return value.join(', ');
  return undefined;
}

function heading(node: PlanNode): string {
  const parts = [`<strong>${escapeHtml(text(node['Node Type']) ?? 'node')}</strong>`];
  for (const key of ['Strategy', 'Join Type'] as const) {
    const value = text(node[key]);
    if (value !== undefined && value !== 'Plain') parts.push(escapeHtml(value));
  }
  const relation = text(node['Relation Name']);
  if (relation !== undefined) {
    const alias = text(node.Alias);
    parts.push(`on <code>${escapeHtml(relation)}</code>${alias !== undefined && alias !== relation ? ` <code>${escapeHtml(alias)}</code>` : ''}`);
  }
  const index = text(node['Index Name']);
  if (index !== undefined) parts.push(`using <code>${escapeHtml(index)}</code>`);
  const figures = FIGURE_KEYS.filter((key) => typeof node[key] === 'number');
  if (figures.length > 0) {
    const [startup, total, rows, width] = FIGURE_KEYS.map((key) => node[key]);
    const cost = typeof total === 'number' ? `cost ${typeof startup === 'number' ? `${startup}..` : ''}${total}` : '';
    const shape = [cost, typeof rows === 'number' ? `rows ${rows}` : '', typeof width === 'number' ? `width ${width}` : ''].filter(Boolean).join(' ');
    parts.push(`<span class="muted">(${escapeHtml(shape)})</span>`);
  }
  return parts.join(' ');
}

function details(node: PlanNode): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (HEADING_KEYS.has(key) || QUIET_KEYS.has(key)) continue;
    const shown = text(value);
    if (shown !== undefined) lines.push(`<div><span class="muted">${escapeHtml(key)}:</span> <code>${escapeHtml(shown)}</code></div>`);
  }
  return lines.join('');
}

function renderNode(node: PlanNode, depth: number): string {
  if (depth >= MAX_DEPTH) return '<li class="muted">… deeper nodes not shown</li>';
  const children = Array.isArray(node.Plans) ? node.Plans.filter(isNode) : [];
  const nested = children.length === 0 ? '' : `<ul>${children.map((child) => renderNode(child, depth + 1)).join('')}</ul>`;
  return `<li>${heading(node)}${details(node)}${nested}</li>`;
}

/** The plan's root nodes: `[{ "Plan": {...} }]` as EXPLAIN prints it, or a bare node. */
function roots(plan: unknown): PlanNode[] {
  const statements = Array.isArray(plan) ? plan : [plan];
  return statements.filter(isNode).map((statement) => (isNode(statement.Plan) ? statement.Plan : statement));
}

export function renderPlanTree(plan: unknown): string {
  const nodes = roots(plan);
  if (nodes.length === 0) return '<p class="muted">no plan</p>';
  return `<ul class="plan">${nodes.map((node) => renderNode(node, 0)).join('')}</ul>`;
}
