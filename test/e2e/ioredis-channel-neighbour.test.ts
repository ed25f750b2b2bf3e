/**
 * Another subscriber to ioredis' own tracing channels (`ioredis:command`,
 * `ioredis:batch`, `ioredis:connect`) receives exactly the same events with
 * the agent as without it: the agent preloaded before ioredis (its module
 * patch) and ioredis loaded before the agent, for ioredis 5.11 and 6. Each
 * case is its own child process, so the loading order is real.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APPS, REGISTER_CJS, runNode } from '../helpers/agentProcess';
import { IOREDIS_VERSIONS, linkIoredis } from '../helpers/ioredisVersions';

const APP = join(APPS, 'ioredis-channel-subscriber.cjs');
const LOAD_IOREDIS = join(APPS, 'ioredis-load.cjs');
const MODES = {
  'without the agent': [],
  'with the agent preloaded before ioredis': ['--require', REGISTER_CJS],
  'with ioredis loaded before the agent': ['--require', LOAD_IOREDIS, '--require', REGISTER_CJS],
} as const;

interface ChannelEvent {
  readonly channel: string;
  readonly kind: string;
  readonly context: Record<string, unknown>;
}

describe.each(IOREDIS_VERSIONS)('ioredis $major', ({ installedAs }) => {
  const linked = linkIoredis(installedAs);
  afterAll(() => linked.remove());

  async function events(preload: readonly string[]): Promise<ChannelEvent[]> {
    const run = await runNode(APP, {
      nodeArgs: [...linked.nodeArgs, ...preload],
      // One key prefix per run of a case pair's runs alike: keys are in the published arguments.
      env: { ...linked.env, QL_KEY_PREFIX: keyPrefix, OTEL_EXPORTER_PROMETHEUS_PORT: '0', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1' },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '[]') as ChannelEvent[];
  }

  const keyPrefix = `ql-ioredis-test:${randomUUID()}:`;
  let bare: ChannelEvent[] = [];

  it('publishes commands, pipelines, MULTI, errors and connects to a subscriber without the agent', async () => {
    bare = await events(MODES['without the agent']);
    const seen = new Set(bare.map((event) => `${event.channel}:${event.kind}`));
    expect([...seen].sort()).toEqual(['batch:asyncEnd', 'batch:asyncStart', 'batch:end', 'batch:error', 'batch:start',
      'command:asyncEnd', 'command:asyncStart', 'command:end', 'command:error', 'command:start',
      'connect:asyncEnd', 'connect:asyncStart', 'connect:end', 'connect:start']);
    const commands = bare.filter((event) => event.channel === 'command' && event.kind === 'start').map((event) => event.context.command);
    expect(commands).toEqual(expect.arrayContaining(['set', 'get', 'hget', 'multi', 'incr', 'exec', 'del', 'quit']));
    expect(bare.find((event) => event.channel === 'connect')?.context).toMatchObject({ serverAddress: '127.0.0.1', serverPort: 6379 });
    expect(bare.find((event) => event.context.command === 'set')?.context).toMatchObject({ database: 3, args: [`${keyPrefix}a`, '?'] });
    expect(bare.find((event) => event.channel === 'batch')?.context).toMatchObject({ batchMode: 'MULTI', batchSize: 2, database: 3 });
  });

  it.each(['with the agent preloaded before ioredis', 'with ioredis loaded before the agent'] as const)('publishes the same %s', async (mode) => {
    expect(await events(MODES[mode])).toEqual(bare);
  });
});
