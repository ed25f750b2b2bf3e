/**
 * The hot path: statement text → StatementAnalysis. A repeated text costs one
 * Map lookup; a new text is analysed once and kept. Bounded by
 * `maxEntries` texts (default 5,000) and `maxTextChars` characters of cached
 * text (default 4,000,000, so a few huge statements cannot hold megabytes of
 * keys). Texts longer than `maxSqlLength` are never cached: they are hashed
 * on each call, which costs no more than reading them. Statements seen
 * before the parser has loaded are queued (`analyzeWhenReady`) and analysed
 * once it has.
 */
import type { StatementAnalysis } from '../core/statementAnalysis';
import type { AnalyzerOptions } from '../sql/analyzeStatement';
import { unparsedAnalysis } from '../sql/analyzeStatement';
import type { AnalysisBudget } from './analysisBudget';
import { BoundedLru } from '../core/boundedLru';
import { analyzeKeepingTree } from './valueRuleTrees';
import { isSqlParserReady, onSqlParserReady } from '../sql/parse/parser';
import { PendingStatements } from './pendingStatements';

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
  /** Statements waiting for the parser, to be analysed and recorded once it is ready. */
  readonly pending: number;
  /** Statements seen before the parser was ready that the bounded queue had no room for. */
  readonly pendingDropped: number;
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
  private readonly pending = new PendingStatements();
  /** Dropped by the queue this cache adopted, before it existed. */
  private adoptedDropped = 0;
  private catchingUp: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: AnalyzerOptions,
    limits: StatementCacheLimits = DEFAULT_STATEMENT_CACHE_LIMITS,
    private readonly budget?: AnalysisBudget,
    private readonly onError: (error: unknown) => void = () => undefined,
    /** When the queue of statements seen before the parser was ready is analysed. */
    private readonly whenReady: (callback: () => void) => void = onSqlParserReady,
  ) {
    this.entries = new BoundedLru({ maxEntries: limits.maxEntries, maxWeight: limits.maxTextChars, weigh: textWeight });
  }

  /** The analysis of `text`, or undefined while the parser is still loading. Never throws. */
  analyze(text: string): StatementAnalysis | undefined {
    return this.analyzeWithin(text, this.budget);
  }

  private analyzeWithin(text: string, budget: AnalysisBudget | undefined): StatementAnalysis | undefined {
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
    if (budget) {
      const granted = budget.begin();
      if (granted === undefined) return unparsedAnalysis(text, undefined);
      startedAt = granted;
    }
    const analysis = analyzeKeepingTree(text, this.options);
    budget?.end(startedAt);
    if (text.length > this.options.maxSqlLength) {
      this.overlong += 1;
      return analysis;
    }
    this.misses += 1;
    if (!analysis.parsed) this.unparseable += 1;
    this.entries.set(text, analysis);
    return analysis;
  }

  /**
   * For a statement `analyze` answered undefined for: calls `record` with its
   * analysis once the parser is ready (at once if it already is), unless the
   * bounded queue is full.
   */
  analyzeWhenReady(text: string, record: (analysis: StatementAnalysis) => void): void {
    if (this.pending.add(text, record) && this.pending.size === 1) this.whenReady(() => this.catchUp());
  }

  /**
   * Takes over the statements queued before this cache existed (the agent
   * hooks pg before it loads the SQL engine), as if they had been queued here.
   */
  adopt(early: PendingStatements): void {
    this.adoptedDropped += early.dropped;
    early.handOver((text, record) => this.analyzeWhenReady(text, record));
  }

  /** Resolves when every statement queued before the parser was ready has been recorded. */
  caughtUp(): Promise<void> {
    return this.catchingUp;
  }

  private catchUp(): void {
    // Not charged to the hot path's budget: the queue is bounded and analysed in slices between the app's work.
    // Charged, the first (cold) analyses would spend it and leave the rest grouped by hash, without findings.
    const analyze = (text: string): StatementAnalysis | undefined => this.analyzeWithin(text, undefined);
    this.catchingUp = this.catchingUp.then(() => this.pending.drain(analyze, this.onError));
  }

  counts(): StatementCacheCounts {
    return {
      hits: this.hits,
      misses: this.misses,
      unparseable: this.unparseable,
      overlong: this.overlong,
      notReady: this.notReady,
      pending: this.pending.size,
      pendingDropped: this.pending.dropped + this.adoptedDropped,
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
