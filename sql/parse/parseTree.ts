/**
 * libpg-query's JSON parse tree: its nodes (`{ Type: {…} }`, or inlined where
 * the field name gives the type), the one walk over it (`visitTree`, with a
 * visitor), and the walk every rule shares, computed once per tree.
 */

/** The fields of one node, without its `{ Type: … }` wrapper. */
export type Fields = { readonly [field: string]: unknown };

/** One node met by the walk: its type, its fields and how it was reached. */
export interface Visit {
  readonly type: string;
  readonly fields: Fields;
  /** The field of the nearest enclosing node that holds this one (`whereClause`, `targetList`, …); '' at the root. */
  readonly field: string;
  readonly parent: Visit | undefined;
}

// libpg-query writes most child nodes as `{ Type: {…} }` but inlines a few
// (the arms of a set operation, a statement's target table, a type name)
// without the wrapper; the field name is then the only clue to the type.
const INLINE_NODE_TYPES: Readonly<Record<string, string>> = {
  larg: 'SelectStmt',
  rarg: 'SelectStmt',
  relation: 'RangeVar',
  pktable: 'RangeVar',
  typeName: 'TypeName',
};

export function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{ SelectStmt: {…} }` → `['SelectStmt', {…}]`; anything else → undefined. */
export function unwrapNode(value: unknown): readonly [string, Fields] | undefined {
  if (!isObject(value)) return undefined;
  // Hot: runs for every object of every tree walked, so no key arrays or regex.
  let type: string | undefined;
  for (const key in value) {
    if (type !== undefined) return undefined;
    type = key;
  }
  if (type === undefined) return undefined;
  const first = type.charCodeAt(0);
  const inner = value[type];
  return first >= 65 && first <= 90 && isObject(inner) ? [type, inner] : undefined;
}

/** The fields of `value` when it is a node of `type`, else undefined. */
export function asNode(value: unknown, type: string): Fields | undefined {
  const node = unwrapNode(value);
  return node !== undefined && node[0] === type ? node[1] : undefined;
}

// Every rule walks the same statement tree, and value-dependent rules walk it
// again on each execution: the walk of a tree object is computed once and
// kept for as long as the tree itself is alive.
const walks = new WeakMap<object, readonly Visit[]>();
const byType = new WeakMap<object, ReadonlyMap<string, readonly Visit[]>>();

/** Every node of the tree in document order, each with its parent chain. */
export function walk(root: unknown): readonly Visit[] {
  if (typeof root !== 'object' || root === null) return [];
  const known = walks.get(root);
  if (known !== undefined) return known;
  const visits = walkTree(root);
  walks.set(root, visits);
  return visits;
}

function walkTree(root: object): readonly Visit[] {
  const out: Visit[] = [];
  visitTree<Visit | undefined>(root, {
    node: (type, fields, field, parent) => {
      const visit: Visit = { type, fields, field, parent };
      out.push(visit);
      return visit;
    },
  }, undefined);
  return out;
}

/** Answered by `TreeVisitor.node` to leave a node's fields unvisited. */
export const SKIP_CHILDREN: unique symbol = Symbol('skip children');

/**
 * What `visitTree` calls on the way down. `C` is what a node hands to the
 * nodes under it (its Visit, a nesting flag, nothing).
 */
export interface TreeVisitor<C> {
  /** A node, wrapped (`{ Type: {…} }`) or inlined (`inlined`: its type is known from `field`). */
  node(type: string, fields: Fields, field: string, context: C, inlined: boolean): C | typeof SKIP_CHILDREN;
  /** A plain struct (`alias`, `withClause`, …), not a node; false leaves what it holds unvisited. */
  struct?(value: Fields, field: string, context: C): boolean;
  /** Fields visited before the others in every node and struct. */
  readonly firstFields?: readonly string[];
}

const NO_FIELDS: readonly string[] = [];

/** The one walk of a parse tree: every node and struct in document order (after `firstFields`), depth first. */
export function visitTree<C>(root: unknown, visitor: TreeVisitor<C>, context: C): void {
  const first = visitor.firstFields ?? NO_FIELDS;
  const visitFields = (fields: Fields, inner: C): void => {
    for (const key of first) if (key in fields) visitValue(fields[key], key, inner);
    // for…in rather than Object.entries: walks run on the path of each new statement text.
    for (const key in fields) if (first.length === 0 || !first.includes(key)) visitValue(fields[key], key, inner);
  };
  const visitValue = (value: unknown, field: string, outer: C): void => {
    if (Array.isArray(value)) {
      for (const item of value) visitValue(item, field, outer);
      return;
    }
    if (!isObject(value)) return;
    const wrapped = unwrapNode(value);
    const inlineType = INLINE_NODE_TYPES[field];
    if (wrapped === undefined && inlineType === undefined) {
      if (visitor.struct === undefined || visitor.struct(value, field, outer)) visitFields(value, outer);
      return;
    }
    const [type, fields] = wrapped ?? [inlineType, value];
    const inner = visitor.node(type, fields, field, outer, wrapped === undefined);
    if (inner !== SKIP_CHILDREN) visitFields(fields, inner);
  };
  visitValue(root, '', context);
}

export function nodesOfType(root: unknown, type: string): readonly Visit[] {
  if (typeof root !== 'object' || root === null) return [];
  let index = byType.get(root);
  if (index === undefined) {
    const groups = new Map<string, Visit[]>();
    for (const visit of walk(root)) {
      const group = groups.get(visit.type);
      if (group === undefined) groups.set(visit.type, [visit]);
      else group.push(visit);
    }
    index = groups;
    byType.set(root, index);
  }
  return index.get(type) ?? [];
}

/** The enclosing nodes, nearest first. */
export function* ancestors(visit: Visit): Generator<Visit> {
  for (let node = visit.parent; node !== undefined; node = node.parent) yield node;
}

/** A field that holds a plain struct (an inlined node such as `relation`). */
export function child(fields: Fields, name: string): Fields | undefined {
  const value = fields[name];
  return isObject(value) ? value : undefined;
}

/** The fields of any wrapped node, whatever its type (for its location). */
export function fieldsOf(value: unknown): Fields | undefined {
  return unwrapNode(value)?.[1];
}
