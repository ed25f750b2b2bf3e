/**
 * Unbounded results: a SELECT without LIMIT/FETCH that returned more rows
 * than `unboundedRows`. Whether the statement has a limit is read from the
 * parse tree of its normalized text, only when the row count is already over
 * the threshold (rare), and cached per fingerprint.
 */
import type { StaticFinding } from '../../core/statementAnalysis';
import { LruMap } from '../../core/lruMap';
import { sqlParser } from '../../sql/parse/parser';
import { runtimeFinding, type RuntimeRuleId } from '../../sql/catalogue/runtimeRules';

export const UNBOUNDED_RESULT_RULE: RuntimeRuleId = 'unbounded-result';

export interface UnboundedCandidate {
  readonly fingerprint: string;
  readonly normalized: string;
  readonly operation: string;
  readonly parsed: boolean;
}

export function unboundedResultFinding(rows: number, threshold: number): StaticFinding {
  return runtimeFinding(UNBOUNDED_RESULT_RULE, `SELECT without LIMIT returned ${rows} rows (threshold ${threshold})`);
}

/**
 * True when the outermost SELECT has a LIMIT or FETCH FIRST other than
 * `LIMIT ALL`; undefined when the text cannot be parsed (for example a
 * normalized text cut at its display length).
 */
export function selectHasLimit(normalized: string): boolean | undefined {
  const parser = sqlParser();
  if (parser === undefined) return undefined;
  try {
    const statement = parser.parse(normalized).stmts[0]?.stmt as { SelectStmt?: { limitCount?: { A_Const?: { isnull?: boolean } } } } | undefined;
    const limit = statement?.SelectStmt?.limitCount;
    return limit !== undefined && limit.A_Const?.isnull !== true;
  } catch {
    return undefined;
  }
}

export class UnboundedResultDetector {
  private readonly limited: LruMap<string, boolean>;

  constructor(private readonly threshold: number, maxFingerprints = 500) {
    this.limited = new LruMap(maxFingerprints);
  }

  check(statement: UnboundedCandidate, rows: number | undefined): StaticFinding | undefined {
    if (rows === undefined || rows <= this.threshold || statement.operation !== 'SELECT' || !statement.parsed) return undefined;
    let limited = this.limited.get(statement.fingerprint);
    if (limited === undefined) {
      // Unparseable means unknown: do not accuse a statement we cannot read.
      limited = selectHasLimit(statement.normalized) ?? true;
      this.limited.set(statement.fingerprint, limited);
    }
    return limited ? undefined : unboundedResultFinding(rows, this.threshold);
  }

  reset(): void {
    this.limited.clear();
  }
}
