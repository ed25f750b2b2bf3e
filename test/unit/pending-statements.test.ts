/** The bounded queue of statements seen before the SQL parser was ready. */
import { describe, expect, it, vi } from 'vitest';
import type { StatementAnalysis } from '../../core/statementAnalysis';
import { AnalysisBudget } from '../../recording/analysisBudget';
import { isSqlParserReady, loadSqlParser } from '../../sql/parse/parser';
import { PendingStatements } from '../../recording/pendingStatements';
import { StatementCache } from '../../recording/statementCache';
import { ALL_RULES } from '../../sql/rules/index';

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

describe('the statement cache catching up once the parser is ready', () => {
  it('analyses every queued statement fully, whatever is left of the hot path\'s time budget', async () => {
    expect(isSqlParserReady()).toBe(false);
    // A clock that moves 10 ms per reading: one analysis spends the 1 ms budget of its window.
    let clock = 0;
    const budget = new AnalysisBudget({ maxMsPerWindow: 1, windowMs: 1000, now: () => (clock += 10) });
    const cache = new StatementCache({ maxSqlLength: 100_000, disabledRules: new Set(), source: 'runtime', rules: ALL_RULES }, undefined, budget);
    const texts = ['SELECT * FROM a WHERE id = $1', 'SELECT * FROM b WHERE id = $1', 'SELECT * FROM c WHERE id = $1'];
    const recorded: StatementAnalysis[] = [];
    for (const text of texts) {
      expect(cache.analyze(text)).toBeUndefined();
      cache.analyzeWhenReady(text, (analysis) => recorded.push(analysis));
    }
    expect(cache.counts().pending).toBe(3);
    await loadSqlParser();
    await cache.caughtUp();
    expect(recorded.map((analysis) => [analysis.parsed, analysis.collection, analysis.findings.some((finding) => finding.rule === 'select-star')]))
      .toEqual([[true, 'a', true], [true, 'b', true], [true, 'c', true]]);
    expect(cache.counts()).toMatchObject({ pending: 0, pendingDropped: 0 });
  });

  it('adopts the statements queued before it existed (the agent hooks pg first), with what that queue dropped', async () => {
    const early = new PendingStatements({ maxStatements: 2, maxTextChars: 1000 });
    const recorded: string[] = [];
    for (const text of ['SELECT * FROM early_a', 'SELECT * FROM early_b', 'SELECT * FROM early_c']) {
      early.add(text, (analysis) => recorded.push(analysis.collection));
    }
    const cache = new StatementCache({ maxSqlLength: 100_000, disabledRules: new Set(), source: 'runtime', rules: ALL_RULES });
    cache.adopt(early);
    expect(early.size).toBe(0);
    expect(cache.counts()).toMatchObject({ pendingDropped: 1 });
    // The parser loaded in the test above: each adopted statement is analysed and recorded in turn.
    await vi.waitFor(() => expect(recorded).toEqual(['early_a', 'early_b']));
    expect(cache.counts()).toMatchObject({ pending: 0, pendingDropped: 1 });
  });
});
