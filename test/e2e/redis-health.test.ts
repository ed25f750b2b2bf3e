/**
 * /healthz of an app with the agent preloaded whose ioredis client cannot
 * reach its server (a port where nothing listens, a password in the URL):
 * degraded, naming the server and the error, never the password. The same
 * app with a working Redis: ok.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RedisServerHealth } from '../../instrumentations/ioredis/connectionHealth';
import { APPS, REGISTER_CJS, freePort } from '../helpers/agentProcess';
import { ChildApp } from '../helpers/childApp';
import { REDIS_HOST, REDIS_PORT } from '../helpers/ioredisHarness';
import { waitFor } from '../helpers/waitFor';

interface Healthz {
  readonly status: 'ok' | 'degraded';
  readonly redis: RedisServerHealth[];
  readonly errors: unknown[];
}

const apps: ChildApp[] = [];

async function startApp(redisUrl: string): Promise<number> {
  const agentPort = await freePort();
  const app = new ChildApp(join(APPS, 'redis-clients.cjs'), {
    nodeArgs: ['--require', REGISTER_CJS],
    env: { OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(agentPort), QL_REDIS_URLS: redisUrl },
  });
  apps.push(app);
  await app.waitForLine<{ started?: boolean }>((line) => line.started === true);
  return agentPort;
}

/** The /healthz answer once `match` accepts it, with its raw text. */
function healthzWhen(agentPort: number, match: (health: Healthz) => boolean): Promise<{ health: Healthz; text: string }> {
  return waitFor('a matching /healthz', async () => {
    const response = await fetch(`http://127.0.0.1:${agentPort}/healthz`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const health = JSON.parse(text) as Healthz;
    return match(health) ? { health, text } : undefined;
  }, 20_000, 200);
}

afterAll(async () => {
  await Promise.all(apps.map((app) => app.stop()));
});

describe('/healthz and Redis', () => {
  it('is degraded while the app\'s Redis client cannot reach its server, and names the server and the error', async () => {
    const secret = `ql-secret-${randomBytes(6).toString('hex')}`;
    const closedPort = await freePort();
    const agentPort = await startApp(`redis://:${secret}@127.0.0.1:${closedPort}`);
    const { health, text } = await healthzWhen(agentPort, (candidate) => candidate.redis.some((entry) => entry.connectionErrors.total > 0));
    expect(health.status).toBe('degraded');
    expect(health.errors).toEqual([]);
    expect(health.redis).toHaveLength(1);
    const [server] = health.redis;
    expect(server).toMatchObject({ server: `127.0.0.1:${closedPort}`, healthy: false, clients: 1, connectionErrors: { last: { type: 'ECONNREFUSED' } } });
    expect(['reconnecting', 'connecting']).toContain(server.status);
    expect(Number.isNaN(Date.parse(server.connectionErrors.last?.at ?? ''))).toBe(false);
    expect(text).not.toContain(secret);
  });

  it('is ok with a working Redis', async () => {
    const agentPort = await startApp(`redis://${REDIS_HOST}:${REDIS_PORT}`);
    // The client is listed from its first status change; a working server gets it to ready.
    const { health } = await healthzWhen(agentPort, (candidate) => candidate.redis.some((server) => server.status === 'ready'));
    expect(health.status).toBe('ok');
    expect(health.redis).toEqual([expect.objectContaining({ server: `${REDIS_HOST}:${REDIS_PORT}`, healthy: true, status: 'ready', clients: 1 })]);
  });
});
