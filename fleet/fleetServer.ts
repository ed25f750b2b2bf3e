/**
 * The fleet page's server (`querylens fleet`): `GET /` renders the fleet from
 * Prometheus on each request, `GET /api/fleet` answers the same report as JSON.
 * Unlike the agent's server it runs in a process of its own (the CLI) and keeps
 * it alive. A Prometheus that cannot answer gives a 502 naming why.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { STATUS_PAGE_HEADERS, parseRefresh } from '../http/statusPage/statusPageRoute';
import { escapeHtml } from '../http/statusPage/escapeHtml';
import type { FleetReport } from './fleetModel';
import { PrometheusError } from './prometheusApi';
import { renderFleetPage } from './renderFleetPage';

export const FLEET_PATHS = { page: '/', report: '/api/fleet' } as const;

export interface FleetServerOptions {
  readonly host: string;
  readonly port: number;
  readonly read: () => Promise<FleetReport>;
  /** Where a bug of the server itself is told (the CLI: stderr). */
  readonly warn: (line: string) => void;
}

function send(res: ServerResponse, status: number, headers: Readonly<Record<string, string>>, body: string): void {
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

async function answer(req: IncomingMessage, res: ServerResponse, read: () => Promise<FleetReport>): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fleet.invalid');
  const known = url.pathname === FLEET_PATHS.page || url.pathname === FLEET_PATHS.report;
  if (!known) return send(res, 404, JSON_HEADERS, JSON.stringify({ error: 'not found', routes: Object.values(FLEET_PATHS) }));
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return send(res, 405, JSON_HEADERS, JSON.stringify({ error: 'method not allowed' }));
  }
  const page = url.pathname === FLEET_PATHS.page;
  try {
    const report = await read();
    if (page) send(res, 200, STATUS_PAGE_HEADERS, renderFleetPage(report, { refreshSeconds: parseRefresh(url.searchParams.get('refresh')) }));
    else send(res, 200, JSON_HEADERS, JSON.stringify(report, null, 2));
  } catch (error) {
    if (!(error instanceof PrometheusError)) throw error;
    if (page) send(res, 502, STATUS_PAGE_HEADERS, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>querylens fleet</title></head><body><p>${escapeHtml(error.message)}</p></body></html>`);
    else send(res, 502, JSON_HEADERS, JSON.stringify({ error: error.message }));
  }
}

/** Listens on host:port; rejects when the port cannot be had. */
export function startFleetServer(options: FleetServerOptions): Promise<Server> {
  const server = createServer((req, res) => {
    answer(req, res, options.read).catch((error: unknown) => {
      options.warn(`querylens fleet: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) send(res, 500, JSON_HEADERS, JSON.stringify({ error: 'internal error' }));
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
