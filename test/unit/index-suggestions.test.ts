/** The index suggestions recording keeps: one per index, replaced per statement, shared indexes preferred, bounded. */
import { describe, expect, it } from 'vitest';
import { IndexSuggestions, timeShare } from '../../recording/indexSuggestions';
import { createIndexStatement, type IndexAdvice, type IndexCandidate } from '../../sql/advice/indexCandidate';

function advice(columns: string[], costAfter: number, method: IndexAdvice['method'] = 'hypopg'): IndexAdvice {
  const candidate: IndexCandidate = { table: 'orders', columns: columns.map((name) => ({ name, descending: false })), equalityColumns: columns.length, rangeColumns: 0, where: [] };
  return { candidate, ddl: createIndexStatement(candidate), costBefore: 1000, costAfter, method };
}

describe('index suggestions', () => {
  it('keeps the best index per statement and withdraws it when a fresh plan has no advice', () => {
    const store = new IndexSuggestions();
    expect(store.record('f1', 'SELECT 1', [advice(['a', 'b'], 10), advice(['a'], 40)], 1)?.ddl).toBe('CREATE INDEX CONCURRENTLY ON orders (a, b);');
    expect(store.list().map((suggestion) => suggestion.ddl)).toEqual(['CREATE INDEX CONCURRENTLY ON orders (a, b);']);
    store.record('f1', 'SELECT 1', [], 2);
    expect(store.list()).toEqual([]);
  });

  it('prefers an index already suggested for other statements when it costs at most 10% more than the best', () => {
    const store = new IndexSuggestions();
    store.record('f1', 'SELECT 1', [advice(['a'], 10)], 1);
    expect(store.record('f2', 'SELECT 2', [advice(['a', 'b'], 9.5), advice(['a'], 10.4)], 2)?.ddl).toBe('CREATE INDEX CONCURRENTLY ON orders (a);');
    expect(store.record('f3', 'SELECT 3', [advice(['a', 'c'], 5), advice(['a'], 10)], 3)?.ddl).toBe('CREATE INDEX CONCURRENTLY ON orders (a, c);');
    const [shared] = store.list();
    expect(shared.statements.map((statement) => statement.fingerprint)).toEqual(['f1', 'f2']);
  });

  it('is bounded in indexes and in statements per index', () => {
    const store = new IndexSuggestions(2, 3);
    for (let i = 0; i < 5; i += 1) store.record(`f${i}`, 'SELECT', [advice([`c${i}`], 1)], i);
    expect(store.list()).toHaveLength(2);
    for (let i = 0; i < 6; i += 1) store.record(`g${i}`, 'SELECT', [advice(['shared'], 1)], i);
    expect(store.list().find((suggestion) => suggestion.ddl.includes('shared'))?.statements).toHaveLength(3);
  });

  it('gives the share of all statement time spent in the statements an index helps', () => {
    const store = new IndexSuggestions();
    store.record('f1', 'SELECT 1', [advice(['a'], 1)], 1);
    store.record('f2', 'SELECT 2', [advice(['a'], 1)], 1);
    const [suggestion] = store.list();
    const totals: Record<string, number> = { f1: 300, f2: 100 };
    expect(timeShare(suggestion, (fingerprint) => totals[fingerprint] ?? 0, 1000)).toBe(0.4);
    expect(timeShare(suggestion, () => 0, 0)).toBe(0);
  });
});
