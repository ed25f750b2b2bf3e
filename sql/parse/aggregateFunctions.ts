/**
 * Aggregate calls: what HAVING filters on. An aggregate's value exists only
 * after grouping, so no index on its argument could serve the comparison,
 * and wrapping a column in one is not a sargability problem.
 */
import { functionName, list } from './nodeReaders';
import { SKIP_CHILDREN, visitTree, type Fields } from './parseTree';

// PostgreSQL's built-in aggregates, matched on the unqualified, lower-case name.
const AGGREGATE_FUNCTIONS: ReadonlySet<string> = new Set([
  'count', 'sum', 'avg', 'min', 'max', 'any_value',
  'bool_and', 'bool_or', 'every', 'bit_and', 'bit_or', 'bit_xor',
  'array_agg', 'string_agg', 'json_agg', 'jsonb_agg', 'json_object_agg', 'jsonb_object_agg', 'xmlagg', 'range_agg', 'range_intersect_agg',
  'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp',
  'corr', 'covar_pop', 'covar_samp', 'regr_avgx', 'regr_avgy', 'regr_count', 'regr_intercept', 'regr_r2', 'regr_slope', 'regr_sxx', 'regr_sxy', 'regr_syy',
  'mode', 'percentile_cont', 'percentile_disc',
]);

/** A FuncCall that is an aggregate: a known name, or syntax only aggregates take (`count(*)`, DISTINCT, ORDER BY, FILTER, WITHIN GROUP). */
export function isAggregateCall(funcCall: Fields): boolean {
  if (funcCall['over'] !== undefined) return false;
  const aggregateSyntax = funcCall['agg_star'] === true || funcCall['agg_distinct'] === true || funcCall['agg_within_group'] === true
    || funcCall['agg_filter'] !== undefined || list(funcCall, 'agg_order').length > 0;
  return aggregateSyntax || AGGREGATE_FUNCTIONS.has(functionName(funcCall));
}

/** True when the expression calls an aggregate (not counting calls inside its subqueries). */
export function callsAggregate(expression: unknown): boolean {
  let found = false;
  visitTree(expression, {
    node: (type, fields) => {
      if (found || type === 'SubLink') return SKIP_CHILDREN;
      if (type === 'FuncCall' && isAggregateCall(fields)) found = true;
      return found ? SKIP_CHILDREN : undefined;
    },
  }, undefined);
  return found;
}
