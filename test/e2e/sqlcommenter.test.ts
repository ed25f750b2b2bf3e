/**
 * QUERYLENS_SQLCOMMENTER=on: the statement PostgreSQL receives carries the
 * pg span's trace context in a trailing comment, while the agent still
 * analyses the app's own text.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, REGISTER_CJS, freePort, runNode } from '../helpers/agentProcess';

const APP = join(APPS, 'sqlcommenter-app.cjs');

async function received(env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const run = await runNode(APP, {
    nodeArgs: ['--require', REGISTER_CJS],
    env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(port), ...env },
  });
  expect(run.code, run.stderr).toBe(0);
  // The console span exporter prints to stdout too: pick the app's own line.
  const line = run.stdout.split('\n').find((candidate) => candidate.startsWith('{"received":'));
  expect(line, run.stdout).toBeDefined();
  return (JSON.parse(line as string) as { received: string }).received;
}

describe('sqlcommenter', () => {
  it('appends traceparent when on and traces are exported', async () => {
    const text = await received({ QUERYLENS_SQLCOMMENTER: 'on', OTEL_TRACES_EXPORTER: 'console' });
    expect(text).toMatch(/^select current_query\(\) as received where \$1::int > 0 \/\*traceparent='00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]'\*\/$/);
  });

  it('leaves statements untouched by default', async () => {
    expect(await received({ OTEL_TRACES_EXPORTER: 'console' })).toBe('select current_query() as received where $1::int > 0');
  });
});
