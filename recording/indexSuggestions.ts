/**
 * The index advisor's suggestions, one per CREATE INDEX statement, with the
 * statements each one helps. A statement's fresh advice replaces its
 * earlier one; of the indexes that pay for it, one already suggested for
 * other statements is preferred when it costs little more than the best
 * (one index serving several statements beats one per statement).
 *
 * Bounded: at most `maxSuggestions` indexes (LRU) and `maxStatements`
 * statements per index. Normalized texts only: no values.
 */
import { LruMap } from '../core/lruMap';
import type { AdviceMethod, IndexAdvice } from '../sql/advice/indexCandidate';

/** What a statement's missing-index finding says of the index kept for it. */
export type KeptIndex = Pick<IndexAdvice, 'ddl' | 'costBefore' | 'costAfter' | 'method'>;

export interface SuggestedStatement {
  readonly fingerprint: string;
  readonly normalized: string;
  readonly costBefore: number;
  readonly costAfter: number;
}

export interface IndexSuggestion {
  readonly ddl: string;
  readonly table: string;
  readonly method: AdviceMethod;
  readonly statements: readonly SuggestedStatement[];
  readonly firstSeen: number;
  readonly lastSeen: number;
}

/** A known index is preferred over the best new one when it costs at most this much more. */
export const SHARED_INDEX_TOLERANCE = 1.1;

interface MutableSuggestion {
  readonly ddl: string;
  readonly table: string;
  method: AdviceMethod;
  readonly statements: Map<string, SuggestedStatement>;
  readonly firstSeen: number;
  lastSeen: number;
}

export class IndexSuggestions {
  private readonly byDdl: LruMap<string, MutableSuggestion>;
  private readonly maxStatements: number;

  constructor(maxSuggestions = 100, maxStatements = 20) {
    this.byDdl = new LruMap(maxSuggestions);
    this.maxStatements = maxStatements;
  }

  /** The statement's advice, best first; returns the index kept for it (none: its earlier suggestion is withdrawn). */
  record(fingerprint: string, normalized: string, advice: readonly IndexAdvice[], at: number): IndexAdvice | undefined {
    this.withdraw(fingerprint);
    const chosen = this.choose(advice);
    if (chosen === undefined) return undefined;
    let suggestion = this.byDdl.get(chosen.ddl);
    if (suggestion === undefined) {
      suggestion = { ddl: chosen.ddl, table: chosen.candidate.table, method: chosen.method, statements: new Map(), firstSeen: at, lastSeen: at };
      this.byDdl.set(chosen.ddl, suggestion);
    }
    suggestion.lastSeen = at;
    // HypoPG's verdict outranks an estimate for the same index.
    if (chosen.method === 'hypopg') suggestion.method = 'hypopg';
    if (suggestion.statements.size < this.maxStatements || suggestion.statements.has(fingerprint)) {
      suggestion.statements.set(fingerprint, { fingerprint, normalized, costBefore: chosen.costBefore, costAfter: chosen.costAfter });
    }
    return chosen;
  }

  /** The index the statement's last advice kept, left as it is: an advisor run that failed says nothing new. */
  keptFor(fingerprint: string): KeptIndex | undefined {
    for (const suggestion of this.byDdl.values()) {
      const statement = suggestion.statements.get(fingerprint);
      if (statement !== undefined) return { ddl: suggestion.ddl, method: suggestion.method, costBefore: statement.costBefore, costAfter: statement.costAfter };
    }
    return undefined;
  }

  /** Suggestions helping the most statements first. */
  list(): IndexSuggestion[] {
    return [...this.byDdl.values()]
      .map((suggestion) => ({ ...suggestion, statements: [...suggestion.statements.values()] }))
      .sort((a, b) => b.statements.length - a.statements.length || a.ddl.localeCompare(b.ddl));
  }

  reset(): void {
    this.byDdl.clear();
  }

  private choose(advice: readonly IndexAdvice[]): IndexAdvice | undefined {
    const best = advice[0];
    if (best === undefined) return undefined;
    const shared = advice
      .filter((option) => option.costAfter <= best.costAfter * SHARED_INDEX_TOLERANCE && this.byDdl.peek(option.ddl) !== undefined)
      .sort((a, b) => (this.byDdl.peek(b.ddl)?.statements.size ?? 0) - (this.byDdl.peek(a.ddl)?.statements.size ?? 0));
    return shared[0] ?? best;
  }

  private withdraw(fingerprint: string): void {
    for (const [ddl, suggestion] of [...this.byDdl.entriesInOrder()]) {
      if (!suggestion.statements.delete(fingerprint)) continue;
      if (suggestion.statements.size === 0) this.byDdl.delete(ddl);
    }
  }
}

/** Milliseconds the service spent in the statements an index helps, over all its statement time (0 to 1). */
export function timeShare(suggestion: IndexSuggestion, totalMsOf: (fingerprint: string) => number, allStatementsMs: number): number {
  if (allStatementsMs <= 0) return 0;
  const helped = suggestion.statements.reduce((sum, statement) => sum + totalMsOf(statement.fingerprint), 0);
  return Math.min(1, helped / allStatementsMs);
}
