/**
 * Literal-built SQL: one fingerprint arriving as many distinct texts that
 * carry literal values means the app splices values into SQL strings
 * (injection risk, a fresh parse and plan for every call) instead of binding
 * parameters. We keep only hashes of the texts, never the texts, and only
 * until the threshold is reached; a flagged fingerprint is remembered so it
 * costs nothing afterwards.
 */
import type { StaticFinding } from '../../core/statementAnalysis';
import { LruMap } from '../../core/lruMap';
import type { SqlParser } from '../../sql/parse/parser';
import { runtimeFinding, type RuntimeRuleId } from '../../sql/catalogue/runtimeRules';

export const LITERAL_BUILT_RULE: RuntimeRuleId = 'literal-built-sql';
export const DEFAULT_LITERAL_BUILT_THRESHOLD = 20;

export interface LiteralBuiltOptions {
  /** Distinct texts of one fingerprint that flag it (default 20). */
  readonly threshold?: number;
  /** Fingerprints sampled at once, and flagged ones remembered (default 500 each). */
  readonly maxFingerprints?: number;
}

/** Scanner tokens that are constants written into the text. */
const CONSTANT_TOKENS: ReadonlySet<string> = new Set(['SCONST', 'USCONST', 'ICONST', 'FCONST', 'BCONST', 'XCONST']);

/**
 * Whether the text has literal constants. Texts that differ only in the
 * number of placeholders (`IN ($1, $2)` vs `IN ($1, $2, $3)`) share a
 * fingerprint too, but are not built from values, so they must not count.
 * One scan per distinct text (callers cache it with the text hash).
 */
export function carriesLiterals(text: string, parser: SqlParser): boolean {
  try {
    return parser.scan(text).some((token) => CONSTANT_TOKENS.has(token.tokenName));
  } catch {
    return false;
  }
}

export function literalBuiltFinding(distinctTexts: number): StaticFinding {
  return runtimeFinding(LITERAL_BUILT_RULE, `Statement arrived as at least ${distinctTexts} distinct texts with inline literal values (SQL built by string concatenation)`);
}

export class LiteralBuiltDetector {
  private readonly threshold: number;
  private readonly samples: LruMap<string, Set<string>>;
  private readonly flagged: LruMap<string, true>;

  constructor(options: LiteralBuiltOptions = {}) {
    this.threshold = options.threshold ?? DEFAULT_LITERAL_BUILT_THRESHOLD;
    this.samples = new LruMap(options.maxFingerprints ?? 500);
    this.flagged = new LruMap(options.maxFingerprints ?? 500);
  }

  /**
   * One execution whose text carries literal values. Returns the finding on
   * the execution that reaches the threshold, once per fingerprint.
   */
  observe(fingerprint: string, textHash: string): StaticFinding | undefined {
    if (this.flagged.has(fingerprint)) return undefined;
    let sample = this.samples.get(fingerprint);
    if (sample === undefined) {
      sample = new Set();
      this.samples.set(fingerprint, sample);
    }
    sample.add(textHash);
    if (sample.size < this.threshold) return undefined;
    this.samples.delete(fingerprint);
    this.flagged.set(fingerprint, true);
    return literalBuiltFinding(this.threshold);
  }

  reset(): void {
    this.samples.clear();
    this.flagged.clear();
  }
}
