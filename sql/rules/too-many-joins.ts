import type { Rule } from '../rule';
import { walk } from '../parse/parseTree';

/** Tables (and derived tables, table functions) in one statement above which the rule fires. */
export const MAX_JOINED_TABLES = 6;

const FROM_ITEM_TYPES = new Set(['RangeVar', 'RangeSubselect', 'RangeFunction']);
// Where a FROM item can stand: a FROM list, either side of a JOIN, DELETE … USING.
const FROM_ITEM_FIELDS = new Set(['fromClause', 'larg', 'rarg', 'usingClause']);

export const rule: Rule = {
  id: 'too-many-joins',
  category: 'performance',
  severity: 'warning',
  description: `More than ${MAX_JOINED_TABLES} tables in the FROM and JOIN clauses of one statement, subqueries included: past join_collapse_limit (8) and geqo_threshold (12) PostgreSQL stops searching for the best join order.`,
  suggestion: 'Split the statement (fetch the optional parts in a second query), pre-aggregate in a CTE or materialized view, or check the plan with EXPLAIN and order the joins by hand.',
  check: ({ stmt }) => {
    const items = walk(stmt).filter((visit) => FROM_ITEM_TYPES.has(visit.type) && FROM_ITEM_FIELDS.has(visit.field));
    if (items.length <= MAX_JOINED_TABLES) return [];
    return [{ message: `${items.length} tables are joined in one statement (more than ${MAX_JOINED_TABLES})` }];
  },
};
