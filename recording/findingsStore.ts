/**
 * Findings per (rule, fingerprint), as the report and the metrics show them.
 *
 * Two kinds of persistence:
 * - `sticky`: a property of the statement (static rules, value rules once
 *   they fired, literal-built SQL, plan findings). Every later execution of
 *   the fingerprint counts, so `count` is the number of flagged executions.
 * - `event`: something one execution did (slow, part of an N+1 loop,
 *   unbounded result). `count` is the number of such occurrences.
 *
 * Bounded: fingerprints with findings live in an LRU (default 500), rules per
 * fingerprint are capped (default 64) and plans are kept for at most
 * `maxPlans` fingerprints (default 50), since a plan can be large.
 */
import type { StatementFix, StaticFinding } from '../core/statementAnalysis';
import type { RuleCategory, Severity } from '../core/statementAnalysis';
import { LruMap } from '../core/lruMap';

export type FindingPersistence = 'sticky' | 'event';

/** A plan kept with the findings of its statement; already stripped of literal values. */
export interface StoredPlan {
  /** `EXPLAIN (FORMAT JSON)` output with every expression normalized. */
  readonly plan: unknown;
  /** One line: top node, relation, estimated cost and rows. */
  readonly summary: string;
  readonly explainedAt: number;
}

export interface FindingRecord {
  readonly rule: string;
  readonly severity: Severity;
  readonly category: RuleCategory;
  readonly fingerprint: string;
  /** Normalized text of the statement (no literal values). */
  readonly example: string;
  readonly message: string;
  readonly suggestion: string;
  /** The statement rewritten, where the rule has a safe rewrite (no literal values in it). */
  readonly fix?: StatementFix;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly count: number;
  readonly persistence: FindingPersistence;
  readonly plan?: StoredPlan;
}

/** What the metrics need of a finding counted for one execution. */
export interface FlaggedRule {
  readonly rule: string;
  readonly severity: Severity;
}

export interface FindingsStoreOptions {
  readonly maxFingerprints?: number;
  readonly maxFindingsPerFingerprint?: number;
  readonly maxPlans?: number;
}

export interface RuleFingerprintCount {
  readonly rule: string;
  readonly severity: Severity;
  readonly category: RuleCategory;
  /** Distinct fingerprints currently flagged by the rule. */
  readonly fingerprints: number;
}

/** What `observe` returns for a statement without findings (most of them), without allocating. */
const NO_FLAGS: readonly FlaggedRule[] = Object.freeze([]);

interface MutableFinding extends FlaggedRule {
  readonly category: RuleCategory;
  message: string;
  readonly suggestion: string;
  readonly fix: StatementFix | undefined;
  readonly firstSeen: number;
  lastSeen: number;
  count: number;
  readonly persistence: FindingPersistence;
  /** Shown with the plan of its statement (slow-query and plan findings). */
  readonly withPlan: boolean;
}

interface FingerprintFindings {
  readonly example: string;
  readonly byRule: Map<string, MutableFinding>;
  readonly sticky: MutableFinding[];
}

export class FindingsStore {
  private readonly fingerprints: LruMap<string, FingerprintFindings>;
  private readonly plans: LruMap<string, StoredPlan>;
  private readonly maxFindingsPerFingerprint: number;

  constructor(options: FindingsStoreOptions = {}) {
    this.fingerprints = new LruMap(options.maxFingerprints ?? 500);
    this.plans = new LruMap(options.maxPlans ?? 50);
    this.maxFindingsPerFingerprint = options.maxFindingsPerFingerprint ?? 64;
  }

  /**
   * One execution: registers the statement's static findings (once) and
   * counts every sticky finding of the fingerprint. Returns those findings
   * (the caller counts flagged executions from them; do not keep the array).
   */
  observe(fingerprint: string, example: string, staticFindings: readonly StaticFinding[], at: number): readonly FlaggedRule[] {
    const entry = staticFindings.length > 0 ? this.entryFor(fingerprint, example) : this.fingerprints.get(fingerprint);
    if (entry === undefined) return NO_FLAGS;
    for (const finding of staticFindings) {
      if (!entry.byRule.has(finding.rule)) this.add(entry, finding, at, 'sticky', false, 0);
    }
    for (const finding of entry.sticky) {
      finding.count += 1;
      finding.lastSeen = at;
    }
    return entry.sticky;
  }

  /**
   * A runtime finding for one execution. An `event` finding counts one more
   * occurrence each time; a `sticky` one is added once (this execution
   * counted) and then counted by `observe`. The message is refreshed so it
   * names the latest evidence.
   */
  raise(fingerprint: string, example: string, finding: StaticFinding, at: number, persistence: FindingPersistence, withPlan = false): void {
    const entry = this.entryFor(fingerprint, example);
    const existing = entry.byRule.get(finding.rule);
    if (existing === undefined) {
      this.add(entry, finding, at, persistence, withPlan, 1);
      return;
    }
    existing.message = finding.message;
    existing.lastSeen = at;
    if (existing.persistence === 'event') existing.count += 1;
  }

  /**
   * The findings of a fresh plan replace those of the previous one: a finding
   * the new plan no longer shows (an index was added) is withdrawn.
   */
  replacePlanFindings(fingerprint: string, example: string, findings: readonly StaticFinding[], at: number): void {
    const entry = this.fingerprints.peek(fingerprint);
    if (entry !== undefined) {
      const current = new Set(findings.map((finding) => finding.rule));
      const stale = entry.sticky.filter((finding) => finding.withPlan && !current.has(finding.rule));
      for (const finding of stale) {
        entry.byRule.delete(finding.rule);
        entry.sticky.splice(entry.sticky.indexOf(finding), 1);
      }
    }
    for (const finding of findings) this.raise(fingerprint, example, finding, at, 'sticky', true);
  }

  has(fingerprint: string, rule: string): boolean {
    return this.fingerprints.peek(fingerprint)?.byRule.has(rule) ?? false;
  }

  rulesFor(fingerprint: string): string[] {
    return [...(this.fingerprints.peek(fingerprint)?.byRule.keys() ?? [])];
  }

  attachPlan(fingerprint: string, plan: StoredPlan): void {
    this.plans.set(fingerprint, plan);
  }

  planFor(fingerprint: string): StoredPlan | undefined {
    return this.plans.peek(fingerprint);
  }

  /** All findings, errors first, then by count. */
  list(): FindingRecord[] {
    const records: FindingRecord[] = [];
    for (const [fingerprint, entry] of this.fingerprints.entriesInOrder()) {
      for (const finding of entry.byRule.values()) {
        const plan = finding.withPlan ? this.plans.peek(fingerprint) : undefined;
        records.push({
          rule: finding.rule,
          severity: finding.severity,
          category: finding.category,
          fingerprint,
          example: entry.example,
          message: finding.message,
          suggestion: finding.suggestion,
          ...(finding.fix === undefined ? {} : { fix: finding.fix }),
          firstSeen: finding.firstSeen,
          lastSeen: finding.lastSeen,
          count: finding.count,
          persistence: finding.persistence,
          ...(plan === undefined ? {} : { plan }),
        });
      }
    }
    const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
    return records.sort((a, b) => rank[a.severity] - rank[b.severity] || b.count - a.count);
  }

  countsByRule(): RuleFingerprintCount[] {
    const counts = new Map<string, { rule: string; severity: Severity; category: RuleCategory; fingerprints: number }>();
    for (const entry of this.fingerprints.values()) {
      for (const finding of entry.byRule.values()) {
        const key = `${finding.rule}\u0000${finding.severity}\u0000${finding.category}`;
        const count = counts.get(key);
        if (count === undefined) counts.set(key, { rule: finding.rule, severity: finding.severity, category: finding.category, fingerprints: 1 });
        else count.fingerprints += 1;
      }
    }
    return [...counts.values()];
  }

  reset(): void {
    this.fingerprints.clear();
    this.plans.clear();
  }

  private entryFor(fingerprint: string, example: string): FingerprintFindings {
    let entry = this.fingerprints.get(fingerprint);
    if (entry === undefined) {
      entry = { example, byRule: new Map(), sticky: [] };
      this.fingerprints.set(fingerprint, entry);
    }
    return entry;
  }

  private add(
    entry: FingerprintFindings, finding: StaticFinding, at: number,
    persistence: FindingPersistence, withPlan: boolean, count: number,
  ): void {
    if (entry.byRule.size >= this.maxFindingsPerFingerprint) return;
    const record: MutableFinding = {
      rule: finding.rule,
      severity: finding.severity,
      category: finding.category,
      message: finding.message,
      suggestion: finding.suggestion,
      fix: finding.fix,
      firstSeen: at,
      lastSeen: at,
      count,
      persistence,
      withPlan,
    };
    entry.byRule.set(finding.rule, record);
    if (persistence === 'sticky') entry.sticky.push(record);
  }
}
