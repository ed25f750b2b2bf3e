/**
 * The statement analysis the agent started, for code that may not import the
 * SQL engine (the query cache, which sits beside it). `agent/start.ts`
 * provides the statement cache that capture already uses, so a text is
 * analysed once for both; without the agent nothing is provided and the
 * query cache runs every statement uncached.
 */
import type { StatementAnalysis } from './statementAnalysis';

export interface StatementLookup {
  /** The cached analysis of `text`; undefined until the SQL parser has loaded. */
  analyze(text: string): StatementAnalysis | undefined;
}

let provided: StatementLookup | undefined;

export function provideStatementLookup(lookup: StatementLookup | undefined): void {
  provided = lookup;
}

export function lookupStatement(text: string): StatementAnalysis | undefined {
  return provided?.analyze(text);
}
