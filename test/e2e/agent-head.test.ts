/**
 * HEAD on the agent's server, an app with the agent preloaded: every GET
 * route answers HEAD with the GET's status and headers and no body (curl -I
 * and uptime checkers use HEAD); the Allow header of a 405 names HEAD beside
 * GET.
 */
import { join } from 'node:path';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPS, REGISTER_CJS, freePort } from '../helpers/agentProcess';
import { ChildApp } from '../helpers/childApp';
import { waitFor } from '../helpers/waitFor';

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Headers that differ between two answers to the same request. */
const PER_ANSWER = new Set(['date', 'content-length']);

let app: ChildApp;
let agentPort = 0;

/** One request on its own connection, read until the server closes it: whatever the server sends is seen. */
function rawRequest(method: string, path: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(agentPort, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => { received += chunk.toString('latin1'); });
    socket.on('error', reject);
    socket.on('close', () => {
      const end = received.indexOf('\r\n\r\n');
      const [statusLine, ...lines] = received.slice(0, end).split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
      }));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: received.slice(end + 4) });
    });
    socket.on('connect', () => socket.write(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
  });
}

function withoutPerAnswer(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !PER_ANSWER.has(name)));
}

async function getRoutes(): Promise<string[]> {
  const answer = await fetch(`http://127.0.0.1:${agentPort}/no-such-route`);
  const { routes } = (await answer.json()) as { routes: string[] };
  return routes.filter((route) => route.startsWith('GET ')).map((route) => route.slice('GET '.length));
}

beforeAll(async () => {
  agentPort = await freePort();
  app = new ChildApp(join(APPS, 'redis-clients.cjs'), {
    nodeArgs: ['--require', REGISTER_CJS],
    env: { OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(agentPort), QL_REDIS_URLS: '' },
  });
  await app.waitForLine<{ started?: boolean }>((line) => line.started === true);
  await waitFor('the agent server', async () => ((await fetch(`http://127.0.0.1:${agentPort}/healthz`)).ok ? true : undefined), 20_000, 100);
});

afterAll(async () => {
  await app?.stop();
});

describe('HEAD on the agent server', () => {
  it('answers every GET route like GET, without the body', async () => {
    const paths = await getRoutes();
    expect(paths).toEqual(expect.arrayContaining(['/metrics', '/healthz', '/querylens', '/querylens/api/report']));
    for (const path of paths) {
      const get = await rawRequest('GET', path);
      const head = await rawRequest('HEAD', path);
      expect(head.status, path).toBe(get.status);
      expect(get.status, path).toBe(200);
      expect(withoutPerAnswer(head.headers), path).toEqual(withoutPerAnswer(get.headers));
      expect(Number(head.headers['content-length']), path).toBeGreaterThan(0);
      expect(Buffer.byteLength(get.body, 'latin1'), path).toBe(Number(get.headers['content-length']));
      expect(head.body, path).toBe('');
    }
  });

  it('names HEAD beside GET in the Allow header of a 405, and refuses HEAD on a POST route', async () => {
    const wrongMethod = await rawRequest('DELETE', '/metrics');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET, HEAD');
    const action = await rawRequest('HEAD', '/querylens/api/actions/reset-stats');
    expect(action.status).toBe(405);
    expect(action.headers.allow).toBe('POST');
    expect(action.body).toBe('');
  });
});
