/**
 * The bounded vocabularies and caches of the ioredis instrumentation, and the
 * guard that keeps a failing recorder away from the app.
 */
import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { agentErrorSummaries } from '../../core/agentErrors';
import { ATTR } from '../../core/metrics/registry';
import { AttributeCache, errorType, operationName } from '../../instrumentations/ioredis/attributes';
import { DISCARDING_REDIS_SINK } from '../../core/redisOperations';
import { wrapSendCommand } from '../../instrumentations/ioredis/patches';
import { RedisRecorder } from '../../instrumentations/ioredis/recorder';
import { queryText } from '../../instrumentations/ioredis/statement';
import type { RedisClientLike, SentCommand } from '../../instrumentations/ioredis/types';

function replyError(message: string): Error {
  const error = new Error(message);
  error.name = 'ReplyError';
  return error;
}

describe('operationName', () => {
  it.each([
    ['get', 'GET'],
    ['json.set', 'JSON.SET'],
    ['client|list', 'CLIENT|LIST'],
    ['no such command!', 'OTHER'],
    ['cmd2', 'OTHER'],
    ['', 'OTHER'],
    ['x'.repeat(32), 'OTHER'],
  ])('%s → %s', (command, expected) => {
    expect(operationName(command)).toBe(expected);
  });
});

describe('errorType', () => {
  it('names Redis error replies by their code, never by their message', () => {
    expect(errorType(replyError('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBe('WRONGTYPE');
    expect(errorType(replyError('NOSCRIPT No matching script. Please use EVAL.'))).toBe('NOSCRIPT');
    expect(errorType(replyError("ERR unknown command 'x', with args beginning with: 'secret'"))).toBe('ERR');
    expect(errorType(replyError('lower-case reply from a proxy'))).toBe('ReplyError');
  });

  it('names socket errors by their libuv code and other errors by their class', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(errorType(refused)).toBe('ECONNREFUSED');
    class MaxRetriesPerRequestError extends Error {
      override name = 'MaxRetriesPerRequestError';
    }
    expect(errorType(new MaxRetriesPerRequestError('Reached the max retries per request limit'))).toBe('MaxRetriesPerRequestError');
    expect(errorType(new Error('Connection is closed.'))).toBe('Error');
    expect(errorType(Object.assign(new Error('x'), { name: 'not a class name!' }))).toBe('_OTHER');
    expect(errorType('a string')).toBe('_OTHER');
  });
});

describe('queryText', () => {
  it('puts one placeholder per argument and caps long argument lists', () => {
    expect(queryText('PING', 0)).toBe('PING');
    expect(queryText('SET', 2)).toBe('SET ? ?');
    const mset = queryText('MSET', 100);
    expect(mset.split('?')).toHaveLength(65);
    expect(mset.endsWith('…(36 more)')).toBe(true);
  });
});

describe('AttributeCache', () => {
  const target = { serverAddress: '127.0.0.1', serverPort: 6379, database: 0 };

  it('hands out one attribute object per target and command', () => {
    const cache = new AttributeCache(DISCARDING_REDIS_SINK);
    const get = cache.forCommand(target, 'get');
    expect(cache.forCommand({ ...target }, 'get')).toBe(get);
    expect(get.attributes).toEqual({
      [ATTR.dbSystemName]: 'redis', [ATTR.dbOperationName]: 'GET', [ATTR.dbNamespace]: '0',
      [ATTR.serverAddress]: '127.0.0.1', [ATTR.serverPort]: 6379,
    });
    expect(get.failed('ERR')).toBe(get.failed('ERR'));
    expect(get.failed('ERR')[ATTR.errorType]).toBe('ERR');
    expect(get.text(1)).toBe(get.text(1));
    expect(cache.forCommand({ ...target, database: 2 }, 'get').attributes[ATTR.dbNamespace]).toBe('2');
    const socket = cache.forCommand({ serverAddress: '/tmp/redis.sock', serverPort: undefined, database: 0 }, 'get');
    expect(socket.attributes).not.toHaveProperty(ATTR.serverPort);
  });

  it('folds command names past its cap into one OTHER entry', () => {
    const cache = new AttributeCache(DISCARDING_REDIS_SINK);
    for (let i = 0; i < 256; i += 1) cache.forCommand(target, `CMD${String.fromCharCode(65 + (i % 26))}${i}`);
    const overflow = cache.forCommand(target, 'LATECOMER');
    expect(overflow.operation).toBe('OTHER');
    expect(cache.forCommand(target, 'ANOTHERLATECOMER')).toBe(overflow);
  });
});

describe('the sendCommand patch', () => {
  it('reports its own failures and leaves the command result alone', async () => {
    const broken = new RedisRecorder(() => trace.getTracer('test'), () => {
      throw new Error('instruments unavailable');
    }, DISCARDING_REDIS_SINK);
    let settle: (value: unknown) => void = () => undefined;
    const promise = new Promise<unknown>((resolve) => { settle = resolve; });
    const command: SentCommand = { name: 'get', args: ['k'], resolve: (value) => settle(value), reject: () => undefined };
    const client: RedisClientLike = { options: { host: 'localhost', port: 6379 } };
    const sendCommand = wrapSendCommand(broken)(function send(this: RedisClientLike, sent: unknown) {
      (sent as SentCommand).resolve('value');
      return promise;
    });
    expect(await sendCommand.call(client, command)).toBe('value');
    expect(agentErrorSummaries().find((e) => e.component === 'ioredis-patches')?.lastMessage).toBe('instruments unavailable');
  });
});
