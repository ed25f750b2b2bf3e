/**
 * Our ioredis instrumentation against a real Redis: spans, duration metrics,
 * error types, batches, sanitising, connection errors and reconnects, and
 * transparency for the app. Keys use the `ql-ioredis-test:` prefix and are
 * removed afterwards (the Redis server is shared).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Attributes } from '@opentelemetry/api';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { Cluster, Redis as RedisClient, RedisOptions } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ATTR, METRICS } from '../../core/metrics/registry';
import { freePort } from '../helpers/agentProcess';
import { cleanUpRedis, IoredisHarness, REDIS_HOST, REDIS_PORT } from '../helpers/ioredisHarness';

const harness = new IoredisHarness();
const { instrumentation } = harness;
const finishedSpans = () => harness.finishedSpans();
const spansNamed = (name: string) => harness.spansNamed(name);
const spanNames = () => harness.spanNames();
const durationCount = (wanted: Attributes) => harness.durationCount(wanted);

// Required only now, so the instrumentation's require hook sees ioredis.
const Redis = createRequire(import.meta.url)('ioredis') as typeof import('ioredis').default;

const HOST = REDIS_HOST;
const PORT = REDIS_PORT;
const PREFIX = `ql-ioredis-test:${randomUUID()}:`;

const clients: (RedisClient | Cluster)[] = [];
function client(options: RedisOptions = {}): RedisClient {
  const redis = new Redis({ host: HOST, port: PORT, ...options });
  clients.push(redis);
  return redis;
}

const target = { [ATTR.dbSystemName]: 'redis', [ATTR.serverAddress]: HOST, [ATTR.serverPort]: PORT };

beforeEach(() => harness.resetSpans());

afterAll(async () => {
  await cleanUpRedis(new Redis({ host: HOST, port: PORT }), PREFIX, [0, 2], clients);
  instrumentation.disable();
});

describe('commands', () => {
  let redis: RedisClient;
  beforeAll(async () => {
    redis = client();
    await redis.ping();
  });

  it('records GET and SET durations with semconv attributes, one CLIENT span each, without a parent', async () => {
    const setBefore = await durationCount({ ...target, [ATTR.dbOperationName]: 'SET', [ATTR.dbNamespace]: '0' });
    const getBefore = await durationCount({ ...target, [ATTR.dbOperationName]: 'GET', [ATTR.dbNamespace]: '0' });
    expect(await redis.set(`${PREFIX}a`, 'v')).toBe('OK');
    expect(await redis.get(`${PREFIX}a`)).toBe('v');
    expect(await redis.get(`${PREFIX}missing`)).toBeNull();
    expect(await durationCount({ ...target, [ATTR.dbOperationName]: 'SET', [ATTR.dbNamespace]: '0' })).toBe(setBefore + 1);
    expect(await durationCount({ ...target, [ATTR.dbOperationName]: 'GET', [ATTR.dbNamespace]: '0' })).toBe(getBefore + 2);
    const gets = await harness.metrics.histogram(METRICS.dbOperationDuration.name, { [ATTR.dbOperationName]: 'GET' });
    expect(gets.sum).toBeGreaterThan(0);
    expect(gets.sum).toBeLessThan(5);
    expect(await durationCount({ [ATTR.dbOperationName]: 'GET', [ATTR.errorType]: 'ERR' })).toBe(0);

    const [set] = await spansNamed('SET');
    expect(set.kind).toBe(SpanKind.CLIENT);
    expect(set.parentSpanContext).toBeUndefined();
    expect(set.attributes).toEqual({
      ...target, [ATTR.dbOperationName]: 'SET', [ATTR.dbNamespace]: '0', [ATTR.dbQueryText]: 'SET ? ?',
    });
    expect((await spansNamed('GET')).map((s) => s.attributes[ATTR.dbQueryText])).toEqual(['GET ?', 'GET ?']);
  });

  it('gives error.type from the Redis error prefix, and the app gets the same error', async () => {
    await redis.set(`${PREFIX}text`, 'not a number');
    await redis.rpush(`${PREFIX}list`, 'x');
    const errBefore = await durationCount({ [ATTR.dbOperationName]: 'INCR', [ATTR.errorType]: 'ERR' });
    const wrongBefore = await durationCount({ [ATTR.dbOperationName]: 'HGET', [ATTR.errorType]: 'WRONGTYPE' });
    await expect(redis.incr(`${PREFIX}text`)).rejects.toThrow(/^ERR value is not an integer/);
    await expect(redis.hget(`${PREFIX}list`, 'f')).rejects.toThrow(/^WRONGTYPE/);
    expect(await durationCount({ [ATTR.dbOperationName]: 'INCR', [ATTR.errorType]: 'ERR' })).toBe(errBefore + 1);
    expect(await durationCount({ [ATTR.dbOperationName]: 'HGET', [ATTR.errorType]: 'WRONGTYPE' })).toBe(wrongBefore + 1);
    // The same counts reach the report's per-command summary, in step with the histogram.
    const summary = (command: string) => harness.statistics.summaries().find((entry) => entry.command === command && entry.database === 0);
    expect(summary('INCR')).toMatchObject({ errors: await durationCount({ [ATTR.dbOperationName]: 'INCR', [ATTR.errorType]: 'ERR' }) });
    expect(summary('HGET')?.calls).toBeGreaterThanOrEqual(1);
    expect(summary('HGET')?.p95Ms).toBeGreaterThan(0);
    const [hget] = await spansNamed('HGET');
    expect(hget.status.code).toBe(SpanStatusCode.ERROR);
    expect(hget.status.message).toBeUndefined();
    expect(hget.attributes[ATTR.errorType]).toBe('WRONGTYPE');
  });

  it('types a client-side timeout by its error class', async () => {
    // Generous enough for the connection set-up on a busy machine, short against BLPOP's 3 s.
    const impatient = client({ commandTimeout: 500 });
    await impatient.ping();
    const before = await durationCount({ [ATTR.dbOperationName]: 'BLPOP', [ATTR.errorType]: 'Error' });
    await expect(impatient.blpop(`${PREFIX}empty`, 3)).rejects.toThrow('Command timed out');
    expect(await durationCount({ [ATTR.dbOperationName]: 'BLPOP', [ATTR.errorType]: 'Error' })).toBe(before + 1);
  });

  it('folds command names outside the vocabulary into OTHER', async () => {
    const before = await durationCount({ [ATTR.dbOperationName]: 'OTHER', [ATTR.errorType]: 'ERR' });
    await expect(redis.call('no such command!', 'x')).rejects.toThrow(/unknown command/);
    expect(await durationCount({ [ATTR.dbOperationName]: 'OTHER', [ATTR.errorType]: 'ERR' })).toBe(before + 1);
    expect((await spansNamed('OTHER'))[0].attributes[ATTR.dbQueryText]).toBe('OTHER ?');
  });

  it('reports the selected database as db.namespace; connection set-up commands are not recorded', async () => {
    const selectsBefore = await durationCount({ [ATTR.dbOperationName]: 'SELECT' });
    const before = await durationCount({ [ATTR.dbOperationName]: 'SET', [ATTR.dbNamespace]: '2' });
    // Sent before the connection is ready: queued offline, recorded when flushed.
    const db2 = client({ db: 2 });
    await db2.set(`${PREFIX}db2`, '1');
    expect(await durationCount({ [ATTR.dbOperationName]: 'SET', [ATTR.dbNamespace]: '2' })).toBe(before + 1);
    // ioredis sent SELECT 2, INFO and CLIENT SETINFO while connecting: not the app's commands.
    expect(await spanNames()).toEqual(['SET']);
    expect((await spansNamed('SET'))[0].attributes[ATTR.dbNamespace]).toBe('2');
    expect(await durationCount({ [ATTR.dbOperationName]: 'SELECT' })).toBe(selectsBefore);
    expect(await durationCount({ [ATTR.dbOperationName]: 'CLIENT' })).toBe(0);
    // An explicit SELECT by the app is recorded, and moves db.namespace with it.
    await db2.select(0);
    await db2.get(`${PREFIX}db2`);
    expect(await durationCount({ [ATTR.dbOperationName]: 'SELECT' })).toBe(selectsBefore + 1);
    expect((await spansNamed('GET'))[0].attributes[ATTR.dbNamespace]).toBe('0');
  });
});

describe('batches', () => {
  let redis: RedisClient;
  beforeAll(async () => {
    redis = client();
    await redis.ping();
    await redis.set(`${PREFIX}text`, 'not a number');
  });

  it('records a pipeline as one PIPELINE span with its size, and each command its own duration', async () => {
    const setBefore = await durationCount({ [ATTR.dbOperationName]: 'SET' });
    const incrBefore = await durationCount({ [ATTR.dbOperationName]: 'INCR', [ATTR.errorType]: 'ERR' });
    const results = await redis.pipeline().set(`${PREFIX}p`, '1').get(`${PREFIX}p`).incr(`${PREFIX}text`).exec();
    expect(results?.slice(0, 2)).toEqual([[null, 'OK'], [null, '1']]);
    expect(results?.[2][0]).toBeInstanceOf(Error);

    const [pipeline] = await spansNamed('PIPELINE');
    expect((await spansNamed('PIPELINE'))).toHaveLength(1);
    expect(pipeline.attributes[ATTR.dbOperationBatchSize]).toBe(3);
    expect(pipeline.attributes[ATTR.dbOperationName]).toBe('PIPELINE');
    expect(pipeline.attributes[ATTR.errorType]).toBe('ERR');
    expect(pipeline.status.code).toBe(SpanStatusCode.ERROR);
    expect(await spanNames()).toEqual(['PIPELINE']);
    expect(await durationCount({ [ATTR.dbOperationName]: 'SET' })).toBe(setBefore + 1);
    expect(await durationCount({ [ATTR.dbOperationName]: 'INCR', [ATTR.errorType]: 'ERR' })).toBe(incrBefore + 1);
    expect(await durationCount({ [ATTR.dbOperationName]: 'PIPELINE' })).toBe(0);
  });

  it('records a MULTI as one span and one duration; its queued commands record nothing', async () => {
    const setBefore = await durationCount({ [ATTR.dbOperationName]: 'SET' });
    const multiBefore = await durationCount({ ...target, [ATTR.dbOperationName]: 'MULTI', [ATTR.dbNamespace]: '0' });
    const results = await redis.multi().set(`${PREFIX}m`, '1').get(`${PREFIX}m`).exec();
    expect(results).toEqual([[null, 'OK'], [null, '1']]);

    expect(await spanNames()).toEqual(['MULTI']);
    const [multi] = await spansNamed('MULTI');
    expect(multi.attributes[ATTR.dbOperationBatchSize]).toBe(2);
    expect(multi.status.code).toBe(SpanStatusCode.UNSET);
    expect(await durationCount({ ...target, [ATTR.dbOperationName]: 'MULTI', [ATTR.dbNamespace]: '0' })).toBe(multiBefore + 1);
    expect(await durationCount({ [ATTR.dbOperationName]: 'SET' })).toBe(setBefore);
    expect(await durationCount({ [ATTR.dbOperationName]: 'EXEC' })).toBe(0);
  });

  it('gives a failed MULTI its error type', async () => {
    const before = await durationCount({ [ATTR.dbOperationName]: 'MULTI', [ATTR.errorType]: 'EXECABORT' });
    // A wrong argument count is refused at queue time, so EXEC aborts.
    await expect(redis.multi().set(`${PREFIX}m`, '1').call('get').exec()).rejects.toThrow(/EXECABORT/);
    expect(await durationCount({ [ATTR.dbOperationName]: 'MULTI', [ATTR.errorType]: 'EXECABORT' })).toBe(before + 1);
    expect((await spansNamed('MULTI'))[0].attributes[ATTR.errorType]).toBe('EXECABORT');
  });

  it('lets commands sent from an exec callback record on their own', async () => {
    const before = await durationCount({ [ATTR.dbOperationName]: 'GET' });
    await new Promise<void>((resolve, reject) => {
      redis.pipeline().set(`${PREFIX}cb`, '1').exec((err) => {
        if (err) return reject(err);
        redis.get(`${PREFIX}cb`).then(() => resolve(), reject);
      });
    });
    expect((await spanNames()).sort()).toEqual(['GET', 'PIPELINE']);
    expect(await durationCount({ [ATTR.dbOperationName]: 'GET' })).toBe(before + 1);
  });
});

describe('parent spans', () => {
  it('nests command and batch spans under the span active when the app calls', async () => {
    const redis = client();
    await redis.ping();
    // The context manager the agent's NodeSDK installs (a dependency of @opentelemetry/sdk-node).
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    try {
      await harness.resetSpans();
      const request = harness.tracerProvider.getTracer('test').startSpan('request');
      await context.with(trace.setSpan(context.active(), request), async () => {
        await redis.get(`${PREFIX}nested`);
        await redis.pipeline().get(`${PREFIX}nested`).exec();
        await redis.multi().get(`${PREFIX}nested`).exec();
      });
      request.end();
      const children = (await finishedSpans()).filter((span) => span.name !== 'request');
      expect(children.map((span) => span.name)).toEqual(['GET', 'PIPELINE', 'MULTI']);
      for (const span of children) {
        expect(span.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
        expect(span.spanContext().traceId).toBe(request.spanContext().traceId);
      }
    } finally {
      context.disable();
    }
  });
});

describe('commands sent before the client is ready', () => {
  it('are recorded from the app call, under the app span, in their batch', async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    try {
      const request = harness.tracerProvider.getTracer('test').startSpan('request');
      const setsBefore = await durationCount({ [ATTR.dbOperationName]: 'SET' });
      const multisBefore = await durationCount({ [ATTR.dbOperationName]: 'MULTI' });
      const fresh = client();
      expect(fresh.status).not.toBe('ready');
      await context.with(trace.setSpan(context.active(), request), () => Promise.all([
        fresh.set(`${PREFIX}early`, '1'),
        fresh.pipeline().get(`${PREFIX}early`).exec(),
        fresh.multi().set(`${PREFIX}early`, '2').get(`${PREFIX}early`).exec(),
      ]));
      request.end();
      expect(fresh.status).toBe('ready');
      const children = (await finishedSpans()).filter((span) => span.name !== 'request');
      expect(children.map((span) => span.name).sort()).toEqual(['MULTI', 'PIPELINE', 'SET']);
      for (const span of children) expect(span.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
      // The SET alone counts; the transaction's SET and its MULTI/EXEC wire commands do not.
      expect(await durationCount({ [ATTR.dbOperationName]: 'SET' })).toBe(setsBefore + 1);
      expect(await durationCount({ [ATTR.dbOperationName]: 'MULTI' })).toBe(multisBefore + 1);
      expect(await durationCount({ [ATTR.dbOperationName]: 'EXEC' })).toBe(0);
    } finally {
      context.disable();
    }
  });
});

describe('sanitising', () => {
  it('never records a key, value or argument in spans or metric attributes', async () => {
    const secret = `s3cr3t-${randomUUID()}`;
    const redis = client();
    const key = `${PREFIX}${secret}`;
    await redis.set(key, secret);
    await redis.get(key);
    await redis.hset(`${key}:h`, secret, secret);
    await redis.eval('return ARGV[1]', 1, key, secret);
    await redis.pipeline().get(key).set(key, secret).exec();
    await redis.multi().get(key).set(key, secret).exec();
    await expect(redis.call('QLNOSUCHCOMMAND', secret)).rejects.toThrow(secret);

    const exported = await finishedSpans();
    expect(exported.length).toBeGreaterThanOrEqual(7);
    const spanText = JSON.stringify(exported.map((s) => ({ name: s.name, attributes: s.attributes, status: s.status, events: s.events })));
    expect(spanText).not.toContain(secret);
    const metricAttributes = await harness.metrics.points(METRICS.dbOperationDuration.name);
    expect(metricAttributes.length).toBeGreaterThan(3);
    expect(JSON.stringify(metricAttributes.map((p) => p.attributes))).not.toContain(secret);
    expect((await spansNamed('EVAL'))[0].attributes[ATTR.dbQueryText]).toBe('EVAL ? ? ? ?');
  });
});

describe('transparency', () => {
  type Outcome = { ok: unknown } | { error: string; name: string; message: string };
  /** Replies and errors must match exactly, ReplyError's `command` (name and args) included. */
  async function workload(redis: RedisClient, key: string): Promise<Outcome[]> {
    await redis.del(key, `${key}:l`);
    const outcomes: Outcome[] = [];
    const attempt = async (fn: () => Promise<unknown>) => {
      try {
        outcomes.push({ ok: await fn() });
      } catch (error) {
        const e = error as Error;
        outcomes.push({ error: e.constructor.name, name: e.name, message: e.message });
      }
    };
    await attempt(() => redis.set(key, 'abc'));
    await attempt(() => redis.get(key));
    await attempt(() => redis.incr(key));
    await attempt(() => redis.rpush(`${key}:l`, 'a', 'b'));
    await attempt(() => redis.hget(`${key}:l`, 'f'));
    await attempt(() => redis.pipeline().get(key).incr(key).lrange(`${key}:l`, 0, -1).exec());
    await attempt(() => redis.multi().set(key, '5').incr(key).exec());
    await attempt(() => redis.multi().set(key, '1').call('get').exec());
    await attempt(() => redis.call('QLNOSUCHCOMMAND'));
    return outcomes;
  }

  it('gives the app the same results and errors with and without the instrumentation', async () => {
    const redis = client();
    const key = `${PREFIX}same`;
    const instrumented = await workload(redis, key);
    instrumentation.disable();
    try {
      await harness.resetSpans();
      const bare = await workload(redis, key);
      expect(await finishedSpans()).toHaveLength(0);
      expect(instrumented).toEqual(bare);
      expect(instrumented.filter((o) => 'error' in o).map((o) => 'error' in o && o.name))
        .toEqual(['ReplyError', 'ReplyError', 'ReplyError', 'ReplyError']);
    } finally {
      instrumentation.enable();
    }
    await redis.get(key);
    expect(await spansNamed('GET')).toHaveLength(1);
  });
});

describe('connection errors and reconnects', () => {
  let server: ChildProcess | undefined;

  function startServer(port: number): Promise<ChildProcess> {
    return new Promise((resolve, reject) => {
      const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
      child.on('error', reject);
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('Ready to accept connections')) resolve(child);
      });
    });
  }

  function stopServer(child: ChildProcess): Promise<void> {
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  afterAll(async () => {
    if (server && server.exitCode === null) await stopServer(server);
  });

  it('counts connection errors and reconnects, and the client recovers', async () => {
    const port = await freePort();
    server = await startServer(port);
    const redis = client({ host: '127.0.0.1', port, retryStrategy: () => 50, maxRetriesPerRequest: 1 });
    redis.on('error', () => { /* the app handles errors; we only count them */ });
    expect(await redis.set(`${PREFIX}r`, '1')).toBe('OK');

    const where = { [ATTR.serverAddress]: '127.0.0.1', [ATTR.serverPort]: port };
    const reconnectsBefore = await harness.metrics.value(METRICS.redisReconnects.name, where);
    await stopServer(server);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await harness.metrics.value(METRICS.redisReconnects.name, where)).toBeGreaterThan(reconnectsBefore);
    expect(await harness.metrics.value(METRICS.redisConnectionErrors.name, { ...where, [ATTR.errorType]: 'ECONNREFUSED' })).toBeGreaterThan(0);

    // A command sent while Redis is down never reaches the wire: it still counts, as a failure.
    const failedBefore = await durationCount({ ...where, [ATTR.dbOperationName]: 'GET', [ATTR.errorType]: 'MaxRetriesPerRequestError' });
    await expect(redis.get(`${PREFIX}r`)).rejects.toThrow(/max retries per request/);
    expect(await durationCount({ ...where, [ATTR.dbOperationName]: 'GET', [ATTR.errorType]: 'MaxRetriesPerRequestError' }))
      .toBe(failedBefore + 1);
    expect((await spansNamed('GET')).at(-1)?.attributes[ATTR.errorType]).toBe('MaxRetriesPerRequestError');

    const ready = new Promise((resolve) => redis.once('ready', resolve));
    server = await startServer(port);
    await ready;
    expect(await redis.get(`${PREFIX}r`)).toBeNull();
    expect(redis.status).toBe('ready');
  });
});
