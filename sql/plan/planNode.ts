/**
 * A typed view of `EXPLAIN (FORMAT JSON)` output, for plan rules and for
 * rendering. Only figures, node kinds and names are read: condition strings
 * (`Filter`, `Index Cond`, …) may contain the statement's parameter values,
 * so a PlanNode records whether a filter exists, never its text.
 * Fields of `EXPLAIN ANALYZE` plans are read when present.
 */

export interface PlanActuals {
  /** Rows per loop, as PostgreSQL reports them. */
  readonly rows: number;
  readonly loops: number;
  /** Milliseconds per loop, including children. */
  readonly totalTimeMs: number;
}

export interface PlanNode {
  /** Position in a pre-order walk, 0 for the root: a stable way to point at a node. */
  readonly id: number;
  readonly nodeType: string;
  /** `schema.relation` when the plan names the schema (VERBOSE), else the relation name. */
  readonly relation: string | undefined;
  readonly alias: string | undefined;
  readonly indexName: string | undefined;
  readonly joinType: string | undefined;
  readonly parentRelationship: string | undefined;
  readonly startupCost: number;
  readonly totalCost: number;
  /** Estimated rows per loop. */
  readonly planRows: number;
  /** Estimated average row width in bytes. */
  readonly planWidth: number;
  readonly hasFilter: boolean;
  /** A parallel node's row figures are per process (see `estimatedTotalRows`). */
  readonly parallelAware: boolean;
  /** `Workers Planned` of the Gather above a parallel-aware node. */
  readonly parallelWorkers: number | undefined;
  readonly actual: PlanActuals | undefined;
  /** Per loop, as PostgreSQL reports it. */
  readonly rowsRemovedByFilter: number | undefined;
  readonly sortMethod: string | undefined;
  readonly sortSpaceType: string | undefined;
  readonly sortSpaceUsedKb: number | undefined;
  readonly hashBatches: number | undefined;
  readonly lossyHeapBlocks: number | undefined;
  readonly children: readonly PlanNode[];
}

export interface PlanTree {
  readonly root: PlanNode;
  readonly planningTimeMs: number | undefined;
  readonly executionTimeMs: number | undefined;
}

type Json = { readonly [key: string]: unknown };

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(node: Json, key: string): number | undefined {
  const value = node[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function text(node: Json, key: string): string | undefined {
  const value = node[key];
  return typeof value === 'string' ? value : undefined;
}

function readNode(node: Json, counter: { next: number }, workersAbove: number | undefined): PlanNode {
  const id = counter.next++;
  const parallelAware = node['Parallel Aware'] === true;
  const workers = num(node, 'Workers Planned') ?? workersAbove;
  const actualRows = num(node, 'Actual Rows');
  const relationName = text(node, 'Relation Name');
  const schema = text(node, 'Schema');
  const children = Array.isArray(node['Plans']) ? node['Plans'].filter(isJson).map((child) => readNode(child, counter, workers)) : [];
  return {
    id,
    nodeType: text(node, 'Node Type') ?? 'Unknown',
    relation: relationName === undefined ? undefined : schema === undefined ? relationName : `${schema}.${relationName}`,
    alias: text(node, 'Alias'),
    indexName: text(node, 'Index Name'),
    joinType: text(node, 'Join Type'),
    parentRelationship: text(node, 'Parent Relationship'),
    startupCost: num(node, 'Startup Cost') ?? 0,
    totalCost: num(node, 'Total Cost') ?? 0,
    planRows: num(node, 'Plan Rows') ?? 0,
    planWidth: num(node, 'Plan Width') ?? 0,
    hasFilter: typeof node['Filter'] === 'string',
    parallelAware,
    parallelWorkers: parallelAware ? workers : undefined,
    actual:
      actualRows === undefined
        ? undefined
        : { rows: actualRows, loops: num(node, 'Actual Loops') ?? 1, totalTimeMs: num(node, 'Actual Total Time') ?? 0 },
    rowsRemovedByFilter: num(node, 'Rows Removed by Filter'),
    sortMethod: text(node, 'Sort Method'),
    sortSpaceType: text(node, 'Sort Space Type'),
    sortSpaceUsedKb: num(node, 'Sort Space Used'),
    hashBatches: num(node, 'Hash Batches'),
    lossyHeapBlocks: num(node, 'Lossy Heap Blocks'),
    children,
  };
}

/**
 * Reads what `EXPLAIN (FORMAT JSON)` returns: `[{ "Plan": … }]` as pg hands
 * it back, its JSON text, or the inner `{ "Plan": … }` object. Undefined for
 * anything else.
 */
export function readPlan(explainOutput: unknown): PlanTree | undefined {
  let value = explainOutput;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  }
  const top = Array.isArray(value) ? value[0] : value;
  if (!isJson(top) || !isJson(top['Plan'])) return undefined;
  return {
    root: readNode(top['Plan'], { next: 0 }, undefined),
    planningTimeMs: num(top, 'Planning Time'),
    executionTimeMs: num(top, 'Execution Time'),
  };
}

/**
 * The rows a node is estimated to produce in all: a parallel-aware node's
 * estimate is per process, divided as PostgreSQL's get_parallel_divisor does
 * (the workers, plus the leader's share of 1 − 0.3 × workers when positive).
 */
export function estimatedTotalRows(node: PlanNode): number {
  if (!node.parallelAware || node.parallelWorkers === undefined) return node.planRows;
  const leaderShare = 1 - 0.3 * node.parallelWorkers;
  return node.planRows * (node.parallelWorkers + Math.max(0, leaderShare));
}

/** Every node, parents before children. */
export function planNodes(root: PlanNode): PlanNode[] {
  return [root, ...root.children.flatMap(planNodes)];
}

/** `Seq Scan on "orders"`, `Hash Join`: how messages name a node. */
export function describeNode(node: PlanNode): string {
  return node.relation === undefined ? node.nodeType : `${node.nodeType} on "${node.relation}"`;
}
