/**
 * Which fingerprints get their own `querylens_query_*` series, and their
 * cumulative values.
 *
 * The OpenTelemetry SDK keeps exporting every attribute set a cumulative
 * instrument has ever reported, so a series cannot be withdrawn once it
 * exists. Giving a label to whatever is in the top-K at each scrape would
 * therefore grow without bound, and moving an evicted fingerprint's totals to
 * `other` would count them twice. Instead:
 *
 * - A fingerprint is *labelled* when a scrape finds it in the top-K with at
 *   least `minCalls` executions (one-off statements stay unlabelled), while
 *   fewer than `maxSeries` are labelled. A labelled fingerprint keeps its
 *   series for the life of the process: its value is every execution ever
 *   recorded for it (the totals of past top-K residencies plus the current
 *   one), so it never decreases.
 * - `other` counts the executions of unlabelled fingerprints once they leave
 *   the top-K (eviction or reset). Executions of an unlabelled fingerprint
 *   still in the top-K appear nowhere yet: they cannot be put in `other` now
 *   and taken back when it gets its label, since counters only go up.
 *
 * So the exported series are at most `maxSeries` fingerprints plus `other`.
 */
import { OTHER, type QueryStats, type RetiredQuery } from './queryStatistics';

export interface SeriesTotals {
  readonly calls: number;
  readonly totalMs: number;
  readonly rows: number;
  readonly errors: number;
}

export interface SeriesPoint extends SeriesTotals {
  readonly fingerprint: string;
  readonly operation: string;
  readonly collection: string;
  /** Normalized text, cut to the `querylens_query_info` length. */
  readonly query: string;
}

interface MutableTotals {
  calls: number;
  totalMs: number;
  rows: number;
  errors: number;
}

interface Labelled {
  readonly operation: string;
  readonly collection: string;
  readonly query: string;
  /** Totals of past top-K residencies. */
  readonly base: MutableTotals;
}

function zero(): MutableTotals {
  return { calls: 0, totalMs: 0, rows: 0, errors: 0 };
}

function add(into: MutableTotals, from: SeriesTotals): void {
  into.calls += from.calls;
  into.totalMs += from.totalMs;
  into.rows += from.rows;
  into.errors += from.errors;
}

export class QuerySeries {
  private readonly labelled = new Map<string, Labelled>();
  private readonly retiredUnlabelled = zero();

  constructor(
    readonly maxSeries: number,
    private readonly queryMaxChars: number,
    private readonly minCalls = 2,
  ) {}

  /** An entry left the top-K (evicted or reset): keep its executions in its series or in `other`. */
  retire(stats: RetiredQuery): void {
    add(this.labelled.get(stats.fingerprint)?.base ?? this.retiredUnlabelled, stats);
  }

  /** The label to use for a fingerprint on other metrics (`querylens_n_plus_one_total`): admits it if it qualifies. */
  labelFor(stats: QueryStats | undefined): string {
    if (stats === undefined) return OTHER;
    return this.admit(stats) === undefined ? OTHER : stats.fingerprint;
  }

  /** The series to export now, given the current top-K. */
  points(current: readonly QueryStats[]): { readonly series: SeriesPoint[]; readonly other: SeriesTotals } {
    const series: SeriesPoint[] = [];
    const resident = new Set<string>();
    for (const stats of current) {
      const labelled = this.admit(stats);
      if (labelled === undefined) continue;
      resident.add(stats.fingerprint);
      const totals = zero();
      add(totals, labelled.base);
      add(totals, stats);
      series.push({ fingerprint: stats.fingerprint, operation: labelled.operation, collection: labelled.collection, query: labelled.query, ...totals });
    }
    for (const [fingerprint, labelled] of this.labelled) {
      if (resident.has(fingerprint)) continue;
      series.push({ fingerprint, operation: labelled.operation, collection: labelled.collection, query: labelled.query, ...labelled.base });
    }
    return { series, other: { ...this.retiredUnlabelled } };
  }

  private admit(stats: QueryStats): Labelled | undefined {
    const existing = this.labelled.get(stats.fingerprint);
    if (existing !== undefined || stats.calls < this.minCalls || this.labelled.size >= this.maxSeries) return existing;
    const labelled: Labelled = {
      operation: stats.operation,
      collection: stats.collection,
      query: stats.normalized.slice(0, this.queryMaxChars),
      base: zero(),
    };
    this.labelled.set(stats.fingerprint, labelled);
    return labelled;
  }
}
