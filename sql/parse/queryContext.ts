/** Where a visited node sits in its query: which filtering clause, which subquery. */
import { str } from './nodeReaders';
import { ancestors, type Visit } from './parseTree';

// Fields that hold a filtering condition, and the statements that start a
// query level (a predicate inside a subquery belongs to the subquery).
const PREDICATE_FIELDS = new Set(['whereClause', 'quals', 'havingClause']);
const QUERY_LEVELS = new Set(['SelectStmt', 'UpdateStmt', 'DeleteStmt', 'InsertStmt']);

/** Which filtering clause of its query level a node sits in: `whereClause`, `quals` (JOIN … ON) or `havingClause`. */
export function predicateClause(visit: Visit): string | undefined {
  for (let node: Visit | undefined = visit; node !== undefined; node = node.parent) {
    if (PREDICATE_FIELDS.has(node.field)) return node.field;
    if (node.parent !== undefined && QUERY_LEVELS.has(node.parent.type)) return undefined;
  }
  return undefined;
}

/** The SubLink kind a SELECT is the body of (`EXISTS_SUBLINK`, `EXPR_SUBLINK`, …), when it is one. */
export function subLinkKind(select: Visit): string | undefined {
  const parent = select.parent;
  return parent !== undefined && parent.type === 'SubLink' && select.field === 'subselect' ? str(parent.fields, 'subLinkType') : undefined;
}

/** True inside a subquery, derived table or CTE body: a query whose rows feed another query, not the client. */
export function insideSubquery(visit: Visit): boolean {
  for (const node of ancestors(visit)) {
    if (node.type === 'SubLink' || node.type === 'RangeSubselect' || node.type === 'CommonTableExpr') return true;
  }
  return false;
}
