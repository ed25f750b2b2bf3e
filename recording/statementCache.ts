/**
 * The hot path: statement text → StatementAnalysis. A repeated text costs one
 * Map lookup; a new text is analysed once and kept. Bounded by
 * `maxEntries` texts (default 5,000) and `maxTextChars` characters of cached
 * text (default 4,000,000, so a few huge statements cannot hold megabytes of
 * keys). Texts longer than `maxSqlLength` are never cached: they are hashed
 * on each call, which costs no more than reading them.
 */
import type { StatementAnalysis } from '../core/statementAnalysis';
import type { AnalyzerOptions } from '../sql/analyzeStatement';
import { unparsedAnalysis } from '../sql/analyzeStatement';
import type { AnalysisBudget } from './analysisBudget';
import { BoundedLru } from '../core/boundedLru';
import { analyzeKeepingTree } from './valueRuleTrees';
import { isSqlParserReady } from '../sql/parse/parser';

export interface StatementCacheLimits {
  readonly maxEntries: number;
  readonly maxTextChars: number;
}

export const DEFAULT_STATEMENT_CACHE_LIMITS: StatementCacheLimits = { maxEntries: 5_000, maxTextChars: 4_000_000 };

export interface StatementCacheCounts {
  readonly hits: number;
  readonly misses: number;
  /** Misses whose text the parser rejected. */
  readonly unparseable: number;
  /** Calls with a text over `maxSqlLength` (not parsed, not cached). */
  readonly overlong: number;
  /** Calls made before the parser finished loading (answered `undefined`). */
  readonly notReady: number;
  /** New texts grouped by hash because the analysis time budget was spent (not cached). */
  readonly deferred: number;
  readonly evictions: number;
  readonly entries: number;
  readonly textChars: number;
}

function textWeight(text: string): number {
  return text.length;
}

export class StatementCache {
  private readonly entries: BoundedLru<string, StatementAnalysis>;
  private hits = 0;
  private misses = 0;
  private unparseable = 0;
  private overlong = 0;
  private notReady = 0;

  constructor(
    private readonly options: AnalyzerOptions,
    limits: StatementCacheLimits = DEFAULT_STATEMENT_CACHE_LIMITS,
    private readonly budget?: AnalysisBudget,
  ) {
    this.entries = new BoundedLru({ maxEntries: limits.maxEntries, maxWeight: limits.maxTextChars, weigh: textWeight });
  }

  /** The analysis of `text`, or undefined while the parser is still loading. Never throws. */
  analyze(text: string): StatementAnalysis | undefined {
    const cached = this.entries.get(text);
    if (cached !== undefined) {
      this.hits += 1;
      return cached;
    }
    if (!isSqlParserReady()) {
      this.notReady += 1;
      return undefined;
    }
    let startedAt = 0;
    if (this.budget) {
      const granted = this.budget.begin();
      if (granted === undefined) return unparsedAnalysis(text, undefined);
      startedAt = granted;
    }
    const analysis = analyzeKeepingTree(text, this.options);
    this.budget?.end(startedAt);
    if (text.length > this.options.maxSqlLength) {
      this.overlong += 1;
      return analysis;
    }
    this.misses += 1;
    if (!analysis.parsed) this.unparseable += 1;
    this.entries.set(text, analysis);
    return analysis;
  }

  counts(): StatementCacheCounts {
    return {
      hits: this.hits,
      misses: this.misses,
      unparseable: this.unparseable,
      overlong: this.overlong,
      notReady: this.notReady,
      deferred: this.budget?.deferred ?? 0,
      evictions: this.entries.evictions,
      entries: this.entries.size,
      textChars: this.entries.totalWeight,
    };
  }

  clear(): void {
    this.entries.clear();
  }
}
