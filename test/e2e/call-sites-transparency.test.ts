/**
 * Call sites, leak detection and the transaction watch change nothing the app
 * sees: the same rows, errors (message, SQLSTATE, the app's frames of their
 * stacks), callbacks, stack traces of its own errors (with Node's
 * prepareStackTrace or the app's own), pool counts, and the time a statement
 * takes as the app measures it, with the agent preloaded and without.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, REGISTER_CJS, freePort, lastJsonLine, runNode } from '../helpers/agentProcess';

interface Seen {
  readonly seen: unknown;
  readonly durationMs: number;
  readonly agentSaw: { readonly statementsWithCallSites: number; readonly connectionFindings: readonly string[] } | null;
}

async function run(withAgent: boolean, env: Record<string, string>): Promise<Seen> {
  const port = await freePort();
  const result = await runNode(join(APPS, 'callsites-transparency.cjs'), {
    nodeArgs: withAgent ? ['--require', REGISTER_CJS] : [],
    env: {
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      QUERYLENS_CALL_SITES: 'on', QUERYLENS_POOL_LEAK_MS: '100', QUERYLENS_LONG_TRANSACTION_MS: '100', QUERYLENS_IDLE_IN_TRANSACTION_MS: '100',
      ...env,
    },
    timeoutMs: 40_000,
  });
  expect(result.code, result.stderr).toBe(0);
  return lastJsonLine(result.stdout) as Seen;
}

describe.each([
  { name: 'Node.js\'s own stack traces', env: {} as Record<string, string> },
  { name: 'the app\'s own Error.prepareStackTrace', env: { QL_OWN_PREPARE: '1' } },
])('the agent is transparent to the app, with $name', ({ env }) => {
  it('gives the same results, errors and stack traces, in about the same time', async () => {
    const bare = await run(false, env);
    const agent = await run(true, env);
    expect(agent.seen).toEqual(bare.seen);
    // The agent was at work meanwhile: it sampled call sites and saw the transaction left idle.
    expect(bare.agentSaw).toBeNull();
    expect(agent.agentSaw!.statementsWithCallSites).toBeGreaterThanOrEqual(5);
    expect(agent.agentSaw!.connectionFindings).toEqual(['idle-in-transaction', 'long-transaction']);
    expect(JSON.stringify(bare.seen)).toContain('ql_transparency_missing_table');
    // A 200 ms statement, as the app times it: the agent adds no wait of its own.
    expect(agent.durationMs).toBeGreaterThanOrEqual(200);
    expect(agent.durationMs - bare.durationMs).toBeLessThan(50);
  }, 90_000);
});
