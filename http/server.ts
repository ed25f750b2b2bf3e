/**
 * The agent's one HTTP server (`/metrics`, `/healthz`, and the routes later
 * parts add). It never keeps the process alive, and a port already in use
 * gives one warning while the app runs on without it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { reportAgentError } from '../core/agentErrors';
import { KEEP_ALIVE_TIMEOUT_MS, MAX_CONNECTIONS, SERVER_OPTIONS, clientErrorStatus, closeIfBodyPending, refusal } from './requestLimits';

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
  /** Ports to try after `port` when it is taken (a cluster worker's slots, see serverPort.ts). */
  readonly alternatePorts?: readonly number[];
  /** Own the socket even in a cluster worker, instead of sharing the primary's. */
  readonly exclusive?: boolean;
}

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

/**
 * HEAD is a GET without its body (RFC 9110): curl -I and uptime checkers use
 * it. The GET handler runs as it is and Node's response drops the body of a
 * HEAD request.
 */
function answers(route: Route, method: string | undefined): boolean {
  return route.method === method || (method === 'HEAD' && route.method === 'GET');
}

/**
 * Node derives content-length from the body given to `end()` for a GET, but
 * not for a HEAD, which sends no body: handlers that rely on it (the
 * Prometheus exporter's) would answer HEAD without it.
 */
function keepImplicitLength(res: ServerResponse): void {
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]): ServerResponse => {
    const [body, encoding] = args;
    if (!res.headersSent && !res.hasHeader('content-length') && (typeof body === 'string' || body instanceof Uint8Array)) {
      res.setHeader('content-length', Buffer.byteLength(body, typeof encoding === 'string' ? encoding as BufferEncoding : 'utf8'));
    }
    return end(...args);
  }) as ServerResponse['end'];
}

function allowedMethods(route: Route): string[] {
  return route.method === 'GET' ? ['GET', 'HEAD'] : [route.method];
}

function dispatch(routes: readonly Route[], req: IncomingMessage, res: ServerResponse): void {
  const refused = refusal(req);
  if (refused) {
    res.setHeader('connection', 'close');
    sendJson(res, refused.status, { error: refused.error });
    return;
  }
  closeIfBodyPending(req, res);
  const path = (req.url ?? '/').split('?', 1)[0];
  const matching = routes.filter((route) => route.path === path);
  if (matching.length === 0) {
    sendJson(res, 404, { error: 'not found', routes: routes.map((route) => `${route.method} ${route.path}`) });
    return;
  }
  const route = matching.find((candidate) => answers(candidate, req.method));
  if (!route) {
    res.setHeader('allow', matching.flatMap(allowedMethods).join(', '));
    sendJson(res, 405, { error: 'method not allowed' });
    return;
  }
  if (req.method === 'HEAD') keepImplicitLength(res);
  Promise.resolve(route.handler(req, res)).catch((error: unknown) => {
    reportAgentError('server', error);
    if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    else res.destroy();
  });
}

export function startAgentServer(options: AgentServerOptions): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer(SERVER_OPTIONS, (req, res) => {
      try {
        dispatch(options.routes, req, res);
      } catch (error) {
        reportAgentError('server', error);
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      }
    });
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    server.maxConnections = MAX_CONNECTIONS;
    // A scraper's keep-alive connection must not keep the app alive either.
    server.on('connection', (socket) => socket.unref());
    server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
      if (socket.writable) socket.end(`HTTP/1.1 ${clientErrorStatus(error)}\r\nconnection: close\r\n\r\n`);
      else socket.destroy();
    });
    const ports = [options.port, ...(options.alternatePorts ?? [])];
    const listenOn = (index: number): void => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE' && index + 1 < ports.length) {
          listenOn(index + 1);
          return;
        }
        if (error.code === 'EADDRINUSE') {
          const tried = ports.length === 1 ? `port ${options.port}` : `ports ${ports[0]}-${ports[ports.length - 1]}`;
          options.warn(`querylens: ${tried} on ${options.host} ${ports.length === 1 ? 'is' : 'are'} already in use; /metrics and /healthz are not served (set OTEL_EXPORTER_PROMETHEUS_PORT to a free port). The app runs on.`);
        } else {
          options.warn(`querylens: could not start the agent server on ${options.host}:${ports[index]}: ${error.message}. The app runs on.`);
        }
        resolve(undefined);
      });
      server.listen({ port: ports[index], host: options.host, exclusive: options.exclusive ?? false }, () => {
        server.removeAllListeners('error');
        // Later server errors (accept failing with EMFILE, say) must not become the app's uncaught exception.
        server.on('error', (error) => reportAgentError('server', error));
        server.unref();
        resolve(server);
      });
    };
    listenOn(0);
  });
}
