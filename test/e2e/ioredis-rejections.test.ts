/**
 * Failures the app leaves unhandled reach the process exactly as without the
 * agent: the same `unhandledRejection`s (a failing command and a failing
 * MULTI never awaited), the same `uncaughtException` (thrown from a command
 * callback), no warning or `rejectionHandled` of the agent's, the same exit
 * code and error when the app has no handler. For the agent preloaded before
 * ioredis and ioredis loaded before the agent, ioredis 5.11 and 6 (both have
 * tracing channels that, once subscribed, mark a command's rejection handled).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APPS, REGISTER_CJS, runNode, type RunResult } from '../helpers/agentProcess';
import { IOREDIS_VERSIONS, linkIoredis } from '../helpers/ioredisVersions';

const APP = join(APPS, 'ioredis-rejections.cjs');
const LOAD_IOREDIS = join(APPS, 'ioredis-load.cjs');
const AGENT_MODES = {
  'the agent preloaded before ioredis': ['--require', REGISTER_CJS],
  'ioredis loaded before the agent': ['--require', LOAD_IOREDIS, '--require', REGISTER_CJS],
} as const;
type Case = 'observed' | 'rejection' | 'exception';

/** The first line of Node's report of the error, and the code: the stack's paths differ by run. */
function outcome(run: RunResult): { code: number | null; signal: string | null; error: string | undefined; stdout: string } {
  return { code: run.code, signal: run.signal, error: run.stderr.split('\n').find((line) => /^\w*Error\b/.test(line)), stdout: run.stdout };
}

describe.each(IOREDIS_VERSIONS)('ioredis $major', ({ installedAs }) => {
  const linked = linkIoredis(installedAs);
  afterAll(() => linked.remove());

  async function run(testCase: Case, preload: readonly string[]): Promise<ReturnType<typeof outcome>> {
    return outcome(await runNode(APP, {
      nodeArgs: [...linked.nodeArgs, ...preload],
      env: {
        ...linked.env, QL_CASE: testCase, QL_KEY_PREFIX: `ql-ioredis-test:${randomUUID()}:`,
        OTEL_EXPORTER_PROMETHEUS_PORT: '0', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      },
    }));
  }

  it('without the agent, reports both rejections and the exception, and ends on an unhandled one', async () => {
    const observed = await run('observed', []);
    expect(JSON.parse(observed.stdout)).toEqual({
      rejections: [
        { name: 'ReplyError', message: expect.stringMatching(/^WRONGTYPE/) },
        { name: 'ReplyError', message: expect.stringMatching(/^EXECABORT/) },
      ],
      exceptions: [{ name: 'Error', message: 'thrown from a command callback' }],
      warnings: [],
      handled: 0,
      exitCode: null,
    });
    expect(await run('rejection', [])).toMatchObject({ code: 1, error: expect.stringMatching(/^\w*Error( \[ReplyError\])?: WRONGTYPE/) });
    expect(await run('exception', [])).toMatchObject({ code: 1, error: 'Error: thrown from a command callback' });
  });

  describe.each(Object.keys(AGENT_MODES) as (keyof typeof AGENT_MODES)[])('with %s', (mode) => {
    it.each(['observed', 'rejection', 'exception'] as const)('the %s case ends as without the agent', async (testCase) => {
      const [bare, agent] = [await run(testCase, []), await run(testCase, AGENT_MODES[mode])];
      expect(agent).toEqual(bare);
    });
  });
});
