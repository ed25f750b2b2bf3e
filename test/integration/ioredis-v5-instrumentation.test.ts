/**
 * ioredis before 5.11 publishes no diagnostics channels; the prototype patches
 * record the same there. ioredis 5.4 is installed under the
 * alias `ioredis-v5`, which the require hook (matching the name `ioredis`)
 * does not see, so the test applies the module patch itself, as the hook would.
 * The results must match what ioredis 6 records.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { SpanStatusCode } from '@opentelemetry/api';
import type { Redis as RedisClient } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ATTR } from '../../core/metrics/registry';
import { freePort } from '../helpers/agentProcess';
import { cleanUpRedis, IoredisHarness, REDIS_HOST, REDIS_PORT } from '../helpers/ioredisHarness';

const harness = new IoredisHarness();
const ioredis5 = createRequire(import.meta.url)('ioredis-v5') as typeof import('ioredis').default;
const [definition] = harness.instrumentation.packagePatches();

const HOST = REDIS_HOST;
const PORT = REDIS_PORT;
const PREFIX = `ql-ioredis-test:${randomUUID()}:`;

const clients: RedisClient[] = [];
function client(db = 0): RedisClient {
  const redis = new ioredis5({ host: HOST, port: PORT, db });
  clients.push(redis);
  return redis;
}

beforeAll(() => {
  expect(ioredis5.prototype).not.toHaveProperty('_buildCommandContext');
  definition.patch(ioredis5, '5.4.2');
});
beforeEach(() => harness.resetSpans());
afterAll(async () => {
  await cleanUpRedis(new ioredis5({ host: HOST, port: PORT }), PREFIX, [0, 2], clients);
  harness.instrumentation.disable();
});

describe('ioredis 5.4 (no channels)', () => {
  it('records commands sent before the connection is ready, but not the connection set-up', async () => {
    const before = await harness.durationCount({ [ATTR.dbOperationName]: 'SET', [ATTR.dbNamespace]: '2' });
    const redis = client(2);
    expect(await redis.set(`${PREFIX}a`, 'v')).toBe('OK');
    expect(await redis.get(`${PREFIX}a`)).toBe('v');
    expect(await harness.spanNames()).toEqual(['SET', 'GET']);
    const [set] = await harness.spansNamed('SET');
    expect(set.attributes).toMatchObject({
      [ATTR.dbSystemName]: 'redis', [ATTR.dbNamespace]: '2', [ATTR.serverAddress]: HOST,
      [ATTR.serverPort]: PORT, [ATTR.dbQueryText]: 'SET ? ?',
    });
    expect(await harness.durationCount({ [ATTR.dbOperationName]: 'SET', [ATTR.dbNamespace]: '2' })).toBe(before + 1);
    expect(await harness.durationCount({ [ATTR.dbOperationName]: 'SELECT' })).toBe(0);
    expect(await harness.durationCount({ [ATTR.dbOperationName]: 'INFO' })).toBe(0);
  });

  it('gives error.type and leaves the error to the app unchanged', async () => {
    const redis = client();
    await redis.rpush(`${PREFIX}list`, 'x');
    const error = await redis.hget(`${PREFIX}list`, 'f').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('ReplyError');
    expect((error as Error).message).toMatch(/^WRONGTYPE/);
    expect(await harness.durationCount({ [ATTR.dbOperationName]: 'HGET', [ATTR.errorType]: 'WRONGTYPE' })).toBe(1);
    const [hget] = await harness.spansNamed('HGET');
    expect(hget.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('records pipelines and transactions as ioredis 6 does', async () => {
    const redis = client();
    await redis.ping();
    await harness.resetSpans();
    const setsBefore = await harness.durationCount({ [ATTR.dbOperationName]: 'SET' });
    expect(await redis.pipeline().set(`${PREFIX}p`, '1').get(`${PREFIX}p`).exec()).toEqual([[null, 'OK'], [null, '1']]);
    expect(await redis.multi().set(`${PREFIX}m`, '1').get(`${PREFIX}m`).exec()).toEqual([[null, 'OK'], [null, '1']]);
    await expect(redis.multi().set(`${PREFIX}m`, '1').call('get').exec()).rejects.toThrow(/EXECABORT/);

    expect(await harness.spanNames()).toEqual(['PIPELINE', 'MULTI', 'MULTI']);
    const [pipeline, multi, aborted] = await harness.finishedSpans();
    expect(pipeline.attributes[ATTR.dbOperationBatchSize]).toBe(2);
    expect(multi.attributes[ATTR.dbOperationBatchSize]).toBe(2);
    expect(aborted.attributes[ATTR.errorType]).toBe('EXECABORT');
    // Pipelined commands record their own durations; queued MULTI commands do not.
    expect(await harness.durationCount({ [ATTR.dbOperationName]: 'SET' })).toBe(setsBefore + 1);
    expect(await harness.durationCount({ [ATTR.dbOperationName]: 'MULTI', [ATTR.errorType]: undefined })).toBe(1);
    expect(await harness.durationCount({ [ATTR.dbOperationName]: 'MULTI', [ATTR.errorType]: 'EXECABORT' })).toBe(1);
    expect(await harness.durationCount({ [ATTR.dbOperationName]: 'EXEC' })).toBe(0);
  });

  it('reports connection health as for ioredis 6: a ready client is healthy, one that cannot connect is not', async () => {
    const redis = client();
    await redis.ping();
    expect(harness.instrumentation.connectionHealth().find((entry) => entry.server === `${HOST}:${PORT}`)).toMatchObject({ healthy: true, status: 'ready' });
    const closedPort = await freePort();
    const unreachable = new ioredis5({ host: '127.0.0.1', port: closedPort, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    unreachable.on('error', () => { /* counted by the instrumentation */ });
    clients.push(unreachable);
    await expect(unreachable.ping()).rejects.toThrow();
    expect(harness.instrumentation.connectionHealth().find((entry) => entry.server === `127.0.0.1:${closedPort}`))
      .toMatchObject({ healthy: false, clients: 1, connectionErrors: { last: { type: 'ECONNREFUSED' } } });
  });

  it('stops recording when unpatched', async () => {
    const redis = client();
    await redis.ping();
    definition.unpatch(ioredis5, '5.4.2');
    try {
      await harness.resetSpans();
      await redis.get(`${PREFIX}a`);
      await redis.pipeline().get(`${PREFIX}a`).exec();
      expect(await harness.finishedSpans()).toHaveLength(0);
    } finally {
      definition.patch(ioredis5, '5.4.2');
    }
  });
});
