/**
 * How often this service writes each table, as the pg hook saw it: what the
 * cache-candidate finding weighs a recommended TTL against. Bounded (the
 * most recently written tables are kept); writes the engine could not
 * attribute (CALL, DO, unparsed text) are counted apart. Another service's
 * writes are invisible here.
 */
import { LruMap } from '../core/lruMap';
import type { TableWrites } from '../core/statementAnalysis';

/** Tables tracked at once. */
export const MAX_TRACKED_TABLES = 500;

/** Never divide by less than this: a burst right after start is not a rate of thousands per minute. */
const MIN_WINDOW_MS = 60_000;

export interface WriteRates {
  /** Writes per minute of these tables, summed. */
  readonly tablesPerMinute: number;
  /** Writes per minute the engine could not attribute to tables (each invalidates every query entry). */
  readonly unattributedPerMinute: number;
}

export class TableWriteRates {
  private readonly writes = new LruMap<string, number>(MAX_TRACKED_TABLES);
  private unattributed = 0;
  private since: number;

  constructor(private readonly now: () => number = Date.now) {
    this.since = now();
  }

  /** One successful statement's writes; `public.t` and `t` are one table. */
  observe(writes: TableWrites): void {
    if (writes === 'unknown') {
      this.unattributed += 1;
      return;
    }
    for (const table of writes) {
      const name = unqualified(table);
      this.writes.set(name, (this.writes.get(name) ?? 0) + 1);
    }
  }

  rates(tables: readonly string[]): WriteRates {
    const minutes = Math.max(this.now() - this.since, MIN_WINDOW_MS) / 60_000;
    const total = tables.reduce((sum, table) => sum + (this.writes.peek(unqualified(table)) ?? 0), 0);
    return { tablesPerMinute: total / minutes, unattributedPerMinute: this.unattributed / minutes };
  }

  reset(): void {
    this.writes.clear();
    this.unattributed = 0;
    this.since = this.now();
  }
}

function unqualified(table: string): string {
  return table.startsWith('public.') ? table.slice('public.'.length) : table;
}
