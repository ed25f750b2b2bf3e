/**
 * The route template a framework matched, read from Node's request object:
 * Express (4 and 5) sets `req.route` (its `path`, relative to the router)
 * and `req.baseUrl` (where the router is mounted) while the matched handler
 * runs, and leaves them once it has answered. Undefined before routing, for
 * a regular-expression route, and for frameworks that keep their route
 * elsewhere (those requests get their normalized path).
 */
export interface RoutedRequest {
  readonly method?: string;
  readonly url?: string;
  readonly route?: { readonly path?: unknown };
  readonly baseUrl?: unknown;
}

export function expressTemplate(request: RoutedRequest): string | undefined {
  const path = request.route?.path;
  if (typeof path !== 'string') return undefined;
  const base = typeof request.baseUrl === 'string' ? request.baseUrl : '';
  const joined = `${base}${path === '/' && base !== '' ? '' : path}`;
  return joined === '' ? '/' : joined;
}
