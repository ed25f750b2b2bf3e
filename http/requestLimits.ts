/**
 * What the agent server tolerates from a client. Its port may be reachable
 * by anything on the network, and it runs inside the app's process: a
 * client must not be able to hold memory, sockets or time beyond these
 * bounds.
 */
import type { IncomingMessage, ServerOptions, ServerResponse } from 'node:http';

/** Longest request URL answered (longer: 414). */
export const MAX_URL_LENGTH = 2048;
/** Largest request body accepted; the agent's routes need none or a tiny one (larger: 413). */
export const MAX_BODY_BYTES = 64 * 1024;
/** Open connections at once; scrapers and operators need a handful, the rest are refused. */
export const MAX_CONNECTIONS = 256;

export const SERVER_OPTIONS: ServerOptions = {
  // The whole request (headers and body) within 10 s, the headers within 5 s:
  // a client dribbling headers (slowloris) is cut off.
  requestTimeout: 10_000,
  headersTimeout: 5_000,
  // Node checks those two timeouts on this interval (default 30 s, which would
  // let a slow client hold its socket six times longer than the limit says).
  connectionsCheckingInterval: 1_000,
  // Larger headers: 431, before any handler runs.
  maxHeaderSize: 16_384,
};

/** Idle keep-alive connections are closed after this long. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/** The status to refuse this request with before routing, or undefined to route it. */
export function refusal(req: IncomingMessage): { status: number; error: string } | undefined {
  if ((req.url ?? '/').length > MAX_URL_LENGTH) return { status: 414, error: 'URI too long' };
  const declared = Number(req.headers['content-length'] ?? 0);
  if (!Number.isFinite(declared) || declared > MAX_BODY_BYTES) return { status: 413, error: `body over ${MAX_BODY_BYTES} bytes` };
  return undefined;
}

/**
 * No route reads more than it needs; a body left unread (or one of unknown
 * length, chunked) would otherwise be read and discarded for as long as the
 * client sends it. Closing the connection after the answer ends that.
 */
export function closeIfBodyPending(req: IncomingMessage, res: ServerResponse): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !res.headersSent) res.setHeader('connection', 'close');
}

/** The status for a request Node's parser rejected before any handler ran. */
export function clientErrorStatus(error: NodeJS.ErrnoException): string {
  if (error.code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  return '400 Bad Request';
}
