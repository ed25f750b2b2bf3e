/**
 * `POST /querylens/api/actions/<reset-stats|clear-caches>`: the operator's
 * two write actions. Disabled (403) unless QUERYLENS_ADMIN_TOKEN is set;
 * otherwise they need `Authorization: Bearer <token>` (401 without it or with
 * a wrong one). They read no request body (the server bounds and discards it)
 * and answer JSON.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkBearerToken } from './adminToken';
import { ROUTE_PATHS } from './routePaths';
import { sendJson, type Route } from './server';

export interface AdminActionTargets {
  /** QUERYLENS_ADMIN_TOKEN; undefined disables the actions. */
  readonly token: string | undefined;
  resetStats(): void;
  clearCaches(): { readonly cleared: number; readonly failed: number };
}

/** Answers the refusal and returns false, or returns true when the caller may act. */
function authorized(token: string | undefined, req: IncomingMessage, res: ServerResponse): boolean {
  const check = checkBearerToken(token, req.headers.authorization);
  if (check === 'ok') return true;
  if (check === 'disabled') {
    sendJson(res, 403, { error: 'admin actions are disabled: set QUERYLENS_ADMIN_TOKEN in the app\'s environment to enable them' });
    return false;
  }
  res.setHeader('www-authenticate', 'Bearer realm="querylens"');
  sendJson(res, 401, { error: check === 'missing' ? 'missing bearer token (Authorization: Bearer <QUERYLENS_ADMIN_TOKEN>)' : 'wrong bearer token' });
  return false;
}

function action(path: string, token: string | undefined, act: () => Record<string, unknown>): Route {
  return {
    method: 'POST',
    path: `${ROUTE_PATHS.adminActions}/${path}`,
    handler: (req, res) => {
      if (!authorized(token, req, res)) return;
      sendJson(res, 200, { action: path, ok: true, at: new Date().toISOString(), ...act() });
    },
  };
}

export function adminActionRoutes(targets: AdminActionTargets): Route[] {
  return [
    action('reset-stats', targets.token, () => {
      targets.resetStats();
      return {};
    }),
    action('clear-caches', targets.token, () => ({ ...targets.clearCaches() })),
  ];
}
