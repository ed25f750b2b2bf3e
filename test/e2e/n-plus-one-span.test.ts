/**
 * N+1 under a parent span, outside any HTTP request: a traced background job
 * runs one query per item; the agent groups them by the job's span.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, REGISTER_CJS, freePort, runNode } from '../helpers/agentProcess';

interface Loop {
  readonly query: string;
  readonly loops: number;
  readonly maxRepetitions: number;
}

async function loopsWith(env: Record<string, string>): Promise<Loop[]> {
  const port = await freePort();
  const run = await runNode(join(APPS, 'n-plus-one-span.cjs'), {
    nodeArgs: ['--require', REGISTER_CJS],
    env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(port), OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', ...env },
  });
  expect(run.code, run.stderr).toBe(0);
  // The console span exporter prints to stdout too: pick the app's own line.
  const line = run.stdout.split('\n').find((candidate) => candidate.startsWith('{"nPlusOne":'));
  expect(line, run.stdout).toBeDefined();
  return (JSON.parse(line as string) as { nPlusOne: Loop[] }).nPlusOne;
}

describe('N+1 under a parent span', () => {
  it('is found when spans are made (a trace exporter is configured)', async () => {
    const loops = await loopsWith({ OTEL_TRACES_EXPORTER: 'console' });
    const loop = loops.find((candidate) => candidate.query.includes('pg_sleep'));
    expect(loop).toMatchObject({ loops: 1, maxRepetitions: 6 });
  });

  it('is not guessed without spans or a request: there is nothing to group by', async () => {
    expect(await loopsWith({})).toEqual([]);
  });
});
