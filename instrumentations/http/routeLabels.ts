/**
 * The bounded set of route labels a process reports: the first MAX_ROUTES
 * distinct `METHOD path` labels are kept as they are, every later one is
 * `other`, so a scanner walking random paths cannot grow the report or the
 * statistics. Methods outside HTTP's standard ones are `_OTHER`, as the
 * semantic conventions name them.
 */
export const MAX_ROUTES = 100;
export const OTHER_ROUTE = 'other';
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'QUERY']);

const known = new Set<string>();

export function routeLabel(method: string | undefined, path: string): string {
  const label = `${method !== undefined && METHODS.has(method) ? method : '_OTHER'} ${path}`;
  if (known.has(label)) return label;
  if (known.size >= MAX_ROUTES) return OTHER_ROUTE;
  known.add(label);
  return label;
}
