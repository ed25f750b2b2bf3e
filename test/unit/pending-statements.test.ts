/** The bounded queue of statements seen before the SQL parser was ready. */
import { describe, expect, it } from 'vitest';
import type { StatementAnalysis } from '../../agent/sql/analysis';
import { PendingStatements } from '../../agent/sql/pendingStatements';

const labelled = (text: string) => ({ fingerprint: `fp:${text}` }) as unknown as StatementAnalysis;

describe('statements waiting for the SQL parser', () => {
  it('keeps at most maxStatements and maxTextChars, counting the rest as dropped', () => {
    const pending = new PendingStatements({ maxStatements: 3, maxTextChars: 10 });
    const accepted = ['SELECT 1', 'x', 'y', 'z', 'SELECT 2'].map((text) => pending.add(text, () => undefined));
    // 'SELECT 1' (8) and 'x' (1) fit; 'y' fills the 10 characters; 'z' and 'SELECT 2' do not fit.
    expect(accepted).toEqual([true, true, true, false, false]);
    expect(pending.size).toBe(3);
    expect(pending.dropped).toBe(2);
  });

  it('records every queued statement, in order, with its analysis, and has room again after', async () => {
    const pending = new PendingStatements({ maxStatements: 2, maxTextChars: 100 });
    const recorded: string[] = [];
    for (const text of ['SELECT a', 'SELECT b']) pending.add(text, (analysis) => recorded.push(analysis.fingerprint));
    await pending.drain(labelled, (error) => { throw error; });
    expect(recorded).toEqual(['fp:SELECT a', 'fp:SELECT b']);
    expect(pending.size).toBe(0);
    expect(pending.add('SELECT c', () => undefined)).toBe(true);
  });

  it('an analysis that fails is reported and does not stop the rest', async () => {
    const pending = new PendingStatements();
    const recorded: string[] = [];
    const errors: unknown[] = [];
    for (const text of ['bad', 'good']) pending.add(text, (analysis) => recorded.push(analysis.fingerprint));
    await pending.drain((text) => {
      if (text === 'bad') throw new Error('boom');
      return labelled(text);
    }, (error) => errors.push(error));
    expect(recorded).toEqual(['fp:good']);
    expect(errors).toHaveLength(1);
  });
});
