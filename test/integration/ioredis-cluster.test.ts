/**
 * ioredis Cluster against a private three-node Redis Cluster (started here on
 * free ports, killed afterwards): commands are recorded per node, with the
 * node's address; a cluster pipeline and a cluster MULTI give one batch span
 * each.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ATTR } from '../../core/metrics/registry';
import { freePort } from '../helpers/agentProcess';
import { IoredisHarness } from '../helpers/ioredisHarness';

const harness = new IoredisHarness();
const Redis = createRequire(import.meta.url)('ioredis') as typeof import('ioredis').default;
const run = promisify(execFile);

const servers: ChildProcess[] = [];
const ports: number[] = [];
let directory = '';
let cluster: Cluster;

function startNode(port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--cluster-enabled', 'yes', '--cluster-config-file', join(directory, `nodes-${port}.conf`), '--dir', directory,
    ], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.on('error', reject);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) resolve(child);
    });
  });
}

async function clusterIsUp(port: number): Promise<boolean> {
  const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info']);
  return stdout.includes('cluster_state:ok');
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'ql-ioredis-cluster-'));
  for (let i = 0; i < 3; i += 1) {
    const port = await freePort();
    ports.push(port);
    servers.push(await startNode(port));
  }
  await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-yes']);
  for (let attempt = 0; attempt < 50 && !(await clusterIsUp(ports[0])); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  cluster = new Redis.Cluster([{ host: '127.0.0.1', port: ports[0] }]);
  await cluster.set('warm-up', '1');
}, 30_000);

beforeEach(() => harness.resetSpans());

afterAll(async () => {
  cluster?.disconnect();
  harness.instrumentation.disable();
  await Promise.all(servers.map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  })));
  if (directory) rmSync(directory, { recursive: true, force: true });
});

describe('ioredis Cluster', () => {
  it('records each command against the node that served it', async () => {
    // Keys chosen to land on different slots, hence (with three masters) different nodes.
    const keys = Array.from({ length: 12 }, (_, i) => `ql-ioredis-test:key-${i}`);
    for (const key of keys) await cluster.set(key, 'v');
    for (const key of keys) expect(await cluster.get(key)).toBe('v');

    const sets = await harness.spansNamed('SET');
    expect(sets).toHaveLength(keys.length);
    const nodePorts = new Set(sets.map((span) => span.attributes[ATTR.serverPort]));
    expect(nodePorts.size).toBeGreaterThan(1);
    for (const port of nodePorts) expect(ports).toContain(port);
    expect(sets.every((span) => span.attributes[ATTR.serverAddress] === '127.0.0.1')).toBe(true);
    expect(sets.every((span) => span.attributes[ATTR.dbNamespace] === '0')).toBe(true);
    let recorded = 0;
    for (const port of ports) recorded += await harness.durationCount({ [ATTR.dbOperationName]: 'GET', [ATTR.serverPort]: port });
    expect(recorded).toBe(keys.length);
  });

  it('gives a cluster pipeline and a cluster MULTI one batch span each', async () => {
    const results = await cluster.pipeline().set('{ql-ioredis-test}:a', '1').get('{ql-ioredis-test}:a').exec();
    expect(results).toEqual([[null, 'OK'], [null, '1']]);
    expect(await cluster.multi().set('{ql-ioredis-test}:b', '2').get('{ql-ioredis-test}:b').exec())
      .toEqual([[null, 'OK'], [null, '2']]);

    expect(await harness.spanNames()).toEqual(['PIPELINE', 'MULTI']);
    const [pipeline, multi] = await harness.finishedSpans();
    expect(pipeline.attributes[ATTR.dbOperationBatchSize]).toBe(2);
    expect(multi.attributes[ATTR.dbOperationBatchSize]).toBe(2);
    // The batch is planned before a node is chosen: no single server to name.
    expect(multi.attributes[ATTR.serverAddress]).toBeUndefined();
    expect(await harness.durationCount({ [ATTR.dbOperationName]: 'MULTI' })).toBe(1);
    expect(await harness.durationCount({ [ATTR.dbOperationName]: 'EXEC' })).toBe(0);
  });

  it('leaves cluster errors to the app unchanged and typed', async () => {
    await cluster.set('ql-ioredis-test:text', 'x');
    await expect(cluster.incr('ql-ioredis-test:text')).rejects.toThrow(/^ERR value is not an integer/);
    expect(await harness.durationCount({ [ATTR.dbOperationName]: 'INCR', [ATTR.errorType]: 'ERR' })).toBe(1);
    await expect(cluster.pipeline().get('ql-ioredis-test:x').get('ql-ioredis-test:y').exec())
      .rejects.toThrow(/same slot/);
    const [refused] = await harness.spansNamed('PIPELINE');
    expect(refused.attributes[ATTR.errorType]).toBe('Error');
  });
});
