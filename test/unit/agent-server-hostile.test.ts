/**
 * The agent server against hostile clients: malformed requests, huge headers
 * and bodies, slow clients, unknown routes, floods of connections. Each is
 * answered or cut off within a bound, and the server keeps serving.
 */
import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, startAgentServer } from '../../http/server';
import { MAX_BODY_BYTES, MAX_CONNECTIONS, MAX_URL_LENGTH, SERVER_OPTIONS } from '../../http/requestLimits';

let server: Server;
let port = 0;

beforeAll(async () => {
  const started = await startAgentServer({
    host: '127.0.0.1',
    port: 0,
    warn: (line) => { throw new Error(`unexpected warning: ${line}`); },
    routes: [
      { method: 'GET', path: '/healthz', handler: (_req, res) => sendJson(res, 200, { status: 'ok' }) },
      { method: 'POST', path: '/action', handler: (_req, res) => sendJson(res, 200, { done: true }) },
    ],
  });
  if (!started) throw new Error('server did not start');
  server = started;
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
});

afterAll(() => new Promise<void>((resolve) => {
  server.closeAllConnections();
  server.close(() => resolve());
}));

interface RawExchange {
  readonly response: string;
  /** ms from connect until the server closed the connection. */
  readonly closedAfterMs: number;
}

/** Writes `chunks` (with `gapMs` between them) and reads until the server closes, or `giveUpMs`. */
function exchange(chunks: readonly (string | Buffer)[], gapMs = 0, giveUpMs = 15_000): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let response = '';
    let timer: NodeJS.Timeout | undefined;
    socket.on('data', (chunk) => { response += chunk.toString('latin1'); });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      clearTimeout(giveUp);
      resolve({ response, closedAfterMs: Date.now() - started });
    });
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${giveUpMs} ms; got: ${response.slice(0, 200)}`));
    }, giveUpMs);
    let index = 0;
    const writeNext = (): void => {
      if (index >= chunks.length || socket.destroyed) return;
      socket.write(chunks[index]);
      index += 1;
      timer = setTimeout(writeNext, gapMs);
    };
    socket.on('connect', writeNext);
  });
}

function statusOf(response: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
}

async function healthy(): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok' });
}

describe('agent server under hostile input', () => {
  it('answers malformed request lines and bad HTTP with 400 and closes', async () => {
    for (const garbage of ['GARBAGE\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', '\u0000\u0001\u0002\r\n\r\n', 'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n']) {
      const { response } = await exchange([garbage]);
      expect(statusOf(response), JSON.stringify(garbage)).toBe(400);
    }
    await healthy();
  });

  it('refuses headers over the limit with 431', async () => {
    const limit = SERVER_OPTIONS.maxHeaderSize ?? 0;
    const { response } = await exchange([`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(limit + 1024)}\r\n\r\n`]);
    expect(statusOf(response)).toBe(431);
    await healthy();
  });

  it('refuses a declared body over the cap with 413, without reading it', async () => {
    const { response } = await exchange([`POST /action HTTP/1.1\r\nHost: x\r\nContent-Length: ${MAX_BODY_BYTES * 100}\r\n\r\n`, Buffer.alloc(65_536, 1)]);
    expect(statusOf(response)).toBe(413);
    await healthy();
  });

  it('answers a request that streams an endless chunked body, then closes the connection', async () => {
    const chunk = Buffer.from(`10000\r\n${'x'.repeat(0x10000)}\r\n`);
    const { response } = await exchange(['GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', ...Array.from({ length: 200 }, () => chunk)], 5);
    expect(statusOf(response)).toBe(200);
    expect(response.toLowerCase()).toContain('connection: close');
    await healthy();
  });

  it('answers unknown routes 404, wrong methods 405, overlong URLs 414', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/nope/../etc/passwd`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`http://127.0.0.1:${port}/healthz?${'q'.repeat(MAX_URL_LENGTH)}`)).status).toBe(414);
    await healthy();
  });

  it('cuts off a slowloris client dribbling headers within the headers timeout', async () => {
    const headersTimeout = SERVER_OPTIONS.headersTimeout ?? 0;
    const checking = SERVER_OPTIONS.connectionsCheckingInterval ?? 0;
    const dribble = ['GET /healthz HTTP/1.1\r\n', ...Array.from({ length: 100 }, (_, i) => `X-${i}: y\r\n`)];
    const { response, closedAfterMs } = await exchange(dribble, 250);
    expect(closedAfterMs).toBeLessThanOrEqual(headersTimeout + checking + 1000);
    expect(closedAfterMs).toBeGreaterThanOrEqual(headersTimeout - 100);
    expect(statusOf(response)).toBe(408);
    await healthy();
  }, 20_000);

  it('holds at most MAX_CONNECTIONS connections at once, and serves again once they go', async () => {
    const flood = MAX_CONNECTIONS + 100;
    const sockets: Socket[] = [];
    let closedByServer = 0;
    await Promise.all(Array.from({ length: flood }, () => new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => resolve());
      socket.on('error', () => resolve());
      socket.on('close', () => { closedByServer += 1; });
      sockets.push(socket);
    })));
    // Let the server see every connection.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const open = await new Promise<number>((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
    expect(open).toBeLessThanOrEqual(MAX_CONNECTIONS);
    expect(closedByServer).toBeGreaterThanOrEqual(flood - MAX_CONNECTIONS);
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await healthy();
  });
});
