/** Where each process of a multi-process app listens (http/serverPort.ts). */
import { describe, expect, it } from 'vitest';
import { MAX_WORKER_SLOTS, currentProcessRole, serverPlacement } from '../../http/serverPort';

const single = { isClusterWorker: false, appInstance: undefined };
const worker = { isClusterWorker: true, appInstance: undefined };

describe('serverPlacement', () => {
  it('keeps the configured port for a single process (and a cluster primary)', () => {
    expect(serverPlacement(9464, single)).toEqual({ port: 9464, alternatePorts: [], exclusive: false });
  });

  it('gives a cluster worker the slots after the base port, in order, on a socket of its own', () => {
    const placement = serverPlacement(9464, worker);
    expect(placement.port).toBe(9465);
    expect(placement.alternatePorts).toHaveLength(MAX_WORKER_SLOTS - 1);
    expect(placement.alternatePorts.at(-1)).toBe(9464 + MAX_WORKER_SLOTS);
    expect(placement.exclusive).toBe(true);
  });

  it('uses base + NODE_APP_INSTANCE for PM2, in fork mode and in cluster mode', () => {
    expect(serverPlacement(9464, { isClusterWorker: false, appInstance: 3 })).toEqual({ port: 9467, alternatePorts: [], exclusive: false });
    expect(serverPlacement(9464, { isClusterWorker: true, appInstance: 0 })).toEqual({ port: 9464, alternatePorts: [], exclusive: true });
  });

  it('never goes past the last port', () => {
    expect(serverPlacement(65535, { isClusterWorker: false, appInstance: 2 }).port).toBe(65535);
    const nearTheEnd = serverPlacement(65530, worker);
    expect([nearTheEnd.port, ...nearTheEnd.alternatePorts]).toEqual([65531, 65532, 65533, 65534, 65535]);
    expect(serverPlacement(65535, worker).port).toBe(65535);
  });

  it('leaves port 0 (an ephemeral port, distinct per process) alone', () => {
    expect(serverPlacement(0, worker)).toEqual({ port: 0, alternatePorts: [], exclusive: true });
  });
});

describe('currentProcessRole', () => {
  it('reads NODE_APP_INSTANCE only when it is a plain non-negative integer', () => {
    expect(currentProcessRole({ NODE_APP_INSTANCE: '2' }).appInstance).toBe(2);
    expect(currentProcessRole({ NODE_APP_INSTANCE: ' 7 ' }).appInstance).toBe(7);
    expect(currentProcessRole({ NODE_APP_INSTANCE: '-1' }).appInstance).toBeUndefined();
    expect(currentProcessRole({ NODE_APP_INSTANCE: 'web' }).appInstance).toBeUndefined();
    expect(currentProcessRole({}).appInstance).toBeUndefined();
    // The test runner is not a cluster worker.
    expect(currentProcessRole({}).isClusterWorker).toBe(false);
  });
});
