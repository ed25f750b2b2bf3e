/**
 * Switching rules off in a running service, on the real PostgreSQL: a
 * suppression comment in the app's SQL stops the named findings for that
 * statement (N+1 and select-star here), and QUERYLENS_RULES=-n-plus-one stops
 * the N+1 detector for every statement.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, REGISTER_CJS, freePort, lastJsonLine, runNode } from '../helpers/agentProcess';

interface Outcome {
  readonly findings: readonly { readonly rule: string; readonly example: string }[];
  readonly nPlusOne: readonly string[];
  readonly stderr: string;
}

async function runWith(env: Record<string, string>): Promise<Outcome> {
  const port = await freePort();
  const run = await runNode(join(APPS, 'suppressed-rules.cjs'), {
    nodeArgs: ['--require', REGISTER_CJS],
    env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(port), OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', ...env },
    timeoutMs: 45_000,
  });
  expect(run.code, run.stderr).toBe(0);
  return { ...lastJsonLine<Omit<Outcome, 'stderr'>>(run.stdout), stderr: run.stderr };
}

const rulesOn = (outcome: Outcome, marker: string): string[] =>
  outcome.findings.filter((finding) => finding.example.includes(marker)).map((finding) => finding.rule).sort();

describe('rules switched off at runtime', () => {
  it('a suppression comment in the app\'s SQL stops the rules it names for that statement only', async () => {
    const outcome = await runWith({});
    expect(outcome.nPlusOne.some((query) => query.includes('plain_id'))).toBe(true);
    expect(outcome.nPlusOne.some((query) => query.includes('marked_id'))).toBe(false);
    expect(rulesOn(outcome, 'plain_id')).toContain('n-plus-one');
    expect(rulesOn(outcome, 'marked_id')).not.toContain('n-plus-one');
    expect(rulesOn(outcome, 'marked_id')).not.toContain('select-star');
    expect(rulesOn(outcome, 'star_id')).toContain('select-star');
    expect(outcome.stderr).not.toContain('querylens:');
  }, 60_000);

  it('QUERYLENS_RULES=-n-plus-one stops the N+1 detector for every statement, and an unknown id gets one warning line', async () => {
    const outcome = await runWith({ QUERYLENS_RULES: '-n-plus-one,-n-plus-two' });
    expect(outcome.nPlusOne).toEqual([]);
    expect(outcome.findings.map((finding) => finding.rule)).not.toContain('n-plus-one');
    expect(rulesOn(outcome, 'star_id')).toContain('select-star');
    const warnings = outcome.stderr.split('\n').filter((line) => line.startsWith('querylens:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^querylens: QUERYLENS_RULES names unknown rules "n-plus-two" \(accepted: .*\bn-plus-one\b.*\); they are ignored$/);
  }, 60_000);
});
