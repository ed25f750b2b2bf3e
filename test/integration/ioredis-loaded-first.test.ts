/**
 * ioredis loaded before the instrumentation (so never patched): the channels
 * alone still record every command and transaction; only the patched parts
 * degrade, as docs/ioredis.md says.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Redis as RedisClient } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ATTR } from '../../agent/metrics/registry';
import { cleanUpRedis, IoredisHarness, REDIS_HOST, REDIS_PORT } from '../helpers/ioredisHarness';

// Required first, on purpose.
const Redis = createRequire(import.meta.url)('ioredis') as typeof import('ioredis').default & { Pipeline: { prototype: { exec: () => unknown } } };
const harness = new IoredisHarness();
const PREFIX = `ql-ioredis-test:${randomUUID()}:`;
const clients: RedisClient[] = [];

afterAll(async () => {
  await cleanUpRedis(new Redis({ host: REDIS_HOST, port: REDIS_PORT }), PREFIX, [0], clients);
  harness.instrumentation.disable();
});

describe('ioredis loaded before the agent', () => {
  it('still records commands and transactions through the channels', async () => {
    expect(Redis.Pipeline.prototype.exec.name).not.toBe('execObserved');
    const redis = new Redis({ host: REDIS_HOST, port: REDIS_PORT });
    clients.push(redis);
    await redis.set(`${PREFIX}a`, '1');
    expect(await redis.pipeline().get(`${PREFIX}a`).get(`${PREFIX}b`).exec()).toEqual([[null, '1'], [null, null]]);
    expect(await redis.multi().get(`${PREFIX}a`).exec()).toEqual([[null, '1']]);

    const names = await harness.spanNames();
    // Set-up commands are recorded too (no status patch), before the app's.
    expect(names.slice(-4)).toEqual(['SET', 'GET', 'GET', 'MULTI']);
    expect(names).toContain('INFO');
    expect(await harness.durationCount({ [ATTR.dbOperationName]: 'GET' })).toBe(2);
    expect(await harness.durationCount({ [ATTR.dbOperationName]: 'MULTI' })).toBe(1);
  });
});
