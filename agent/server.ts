/**
 * The agent's one HTTP server (`/metrics`, `/healthz`, and the routes later
 * parts add). It never keeps the process alive, and a port already in use
 * gives one warning while the app runs on without it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { reportAgentError } from './agentErrors';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly handler: RouteHandler;
}

export interface AgentServerOptions {
  readonly host: string;
  readonly port: number;
  readonly routes: readonly Route[];
  readonly warn: (line: string) => void;
}

const MAX_URL_LENGTH = 2048;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

function dispatch(routes: readonly Route[], req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/';
  if (url.length > MAX_URL_LENGTH) {
    sendJson(res, 414, { error: 'URI too long' });
    return;
  }
  const path = url.split('?', 1)[0];
  const matching = routes.filter((route) => route.path === path);
  if (matching.length === 0) {
    sendJson(res, 404, { error: 'not found', routes: routes.map((route) => `${route.method} ${route.path}`) });
    return;
  }
  const route = matching.find((candidate) => candidate.method === req.method);
  if (!route) {
    res.setHeader('allow', matching.map((candidate) => candidate.method).join(', '));
    sendJson(res, 405, { error: 'method not allowed' });
    return;
  }
  Promise.resolve(route.handler(req, res)).catch((error: unknown) => {
    reportAgentError('server', error);
    if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    else res.destroy();
  });
}

export function startAgentServer(options: AgentServerOptions): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000, maxHeaderSize: 16_384 }, (req, res) => {
      try {
        dispatch(options.routes, req, res);
      } catch (error) {
        reportAgentError('server', error);
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      }
    });
    server.keepAliveTimeout = 5_000;
    // A scraper's keep-alive connection must not keep the app alive either.
    server.on('connection', (socket) => socket.unref());
    server.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      else socket.destroy();
    });
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        options.warn(`querylens: port ${options.port} on ${options.host} is already in use; /metrics and /healthz are not served (set OTEL_EXPORTER_PROMETHEUS_PORT to a free port). The app runs on.`);
      } else {
        options.warn(`querylens: could not start the agent server on ${options.host}:${options.port}: ${error.message}. The app runs on.`);
      }
      resolve(undefined);
    });
    server.listen(options.port, options.host, () => {
      server.unref();
      resolve(server);
    });
  });
}
