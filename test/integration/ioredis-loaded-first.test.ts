/**
 * ioredis loaded before the instrumentation: the require hook never sees it,
 * so the instrumentation finds it in the module cache when enabled and patches
 * it there, recording the same as when the hook patched it.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Redis as RedisClient } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ATTR } from '../../core/metrics/registry';
import { beneathOwn, isOwnWrapper } from '../../core/ownWrapper';
import { cleanUpRedis, IoredisHarness, REDIS_HOST, REDIS_PORT } from '../helpers/ioredisHarness';

// Required first, on purpose.
const Redis = createRequire(import.meta.url)('ioredis') as typeof import('ioredis').default & { Pipeline: { prototype: { exec: () => unknown } } };
const execBeforeAgent = Redis.Pipeline.prototype.exec.name;
const harness = new IoredisHarness();
const PREFIX = `ql-ioredis-test:${randomUUID()}:`;
const clients: RedisClient[] = [];

afterAll(async () => {
  await cleanUpRedis(new Redis({ host: REDIS_HOST, port: REDIS_PORT }), PREFIX, [0], clients);
  harness.instrumentation.disable();
});

describe('ioredis loaded before the agent', () => {
  it('is patched through the module cache and records as if the hook had patched it', async () => {
    expect(execBeforeAgent).not.toBe('execObserved');
    expect(Redis.Pipeline.prototype.exec.name).toBe('execObserved');
    const redis = new Redis({ host: REDIS_HOST, port: REDIS_PORT });
    clients.push(redis);
    await redis.set(`${PREFIX}a`, '1');
    expect(await redis.pipeline().get(`${PREFIX}a`).get(`${PREFIX}b`).exec()).toEqual([[null, '1'], [null, null]]);
    expect(await redis.multi().get(`${PREFIX}a`).exec()).toEqual([[null, '1']]);

    // The set-up commands (INFO, CLIENT SETINFO) are not the app's and record nothing.
    expect(await harness.spanNames()).toEqual(['SET', 'PIPELINE', 'MULTI']);
    expect(await harness.durationCount({ [ATTR.dbOperationName]: 'GET' })).toBe(2);
    expect(await harness.durationCount({ [ATTR.dbOperationName]: 'MULTI' })).toBe(1);
    expect(await harness.durationCount({ [ATTR.dbOperationName]: 'INFO' })).toBe(0);
  });

  it('is patched once when the app requires it again after the agent started', async () => {
    // Through the module hook this time: the copy found in the cache was patched already (twice, on 7321eba).
    expect(createRequire(import.meta.url)('ioredis')).toBe(Redis);
    expect(isOwnWrapper(Redis.prototype.sendCommand)).toBe(true);
    expect(isOwnWrapper(beneathOwn(Redis.prototype.sendCommand))).toBe(false);
    expect(isOwnWrapper(beneathOwn(Redis.Pipeline.prototype.exec))).toBe(false);
    const before = await harness.durationCount({ [ATTR.dbOperationName]: 'GET' });
    const redis = new Redis({ host: REDIS_HOST, port: REDIS_PORT });
    clients.push(redis);
    await redis.get(`${PREFIX}a`);
    expect(await harness.durationCount({ [ATTR.dbOperationName]: 'GET' })).toBe(before + 1);
  });

  it('unpatches it when disabled', () => {
    harness.instrumentation.disable();
    expect(Redis.Pipeline.prototype.exec.name).toBe(execBeforeAgent);
  });
});
