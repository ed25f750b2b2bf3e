/**
 * What the agent found about how the app holds its connections, as opposed
 * to the statements it sends: pool clients held past QUERYLENS_POOL_LEAK_MS
 * (leaks), transactions open past QUERYLENS_LONG_TRANSACTION_MS and clients
 * idle inside a transaction past QUERYLENS_IDLE_IN_TRANSACTION_MS. One
 * finding per (kind, pool, call site, route), counting its occurrences;
 * a finding nothing has renewed for FINDING_TTL_MS ages out.
 * Bounded: MAX_CONNECTION_FINDINGS findings, the least recently seen dropped.
 */
import { LruMap } from '../../core/lruMap';
import { callSiteLabel, type CallSite } from '../../core/callSite';

export type ConnectionFindingKind = 'pool-client-leak' | 'long-transaction' | 'idle-in-transaction';

export const MAX_CONNECTION_FINDINGS = 200;
export const FINDING_TTL_MS = 3_600_000;

export interface ConnectionOccurrence {
  readonly kind: ConnectionFindingKind;
  readonly pool: string;
  readonly site: CallSite | undefined;
  readonly route: string | undefined;
  /** How long the client was held, the transaction open, or the client idle in it. */
  readonly durationMs: number;
  /** ms since epoch */
  readonly at: number;
}

export interface ConnectionFinding {
  readonly kind: ConnectionFindingKind;
  readonly pool: string;
  readonly site: CallSite | undefined;
  readonly route: string | undefined;
  readonly count: number;
  readonly maxMs: number;
  readonly lastMs: number;
  /** Leaks only: clients that were released after they had been reported. */
  readonly releasedLate: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

type MutableFinding = { -readonly [K in keyof ConnectionFinding]: ConnectionFinding[K] };

function keyOf(kind: ConnectionFindingKind, pool: string, site: CallSite | undefined, route: string | undefined): string {
  return `${kind}\u0000${pool}\u0000${site === undefined ? '' : callSiteLabel(site)}\u0000${route ?? ''}`;
}

export class ConnectionFindings {
  private readonly findings = new LruMap<string, MutableFinding>(MAX_CONNECTION_FINDINGS);

  record(occurrence: ConnectionOccurrence): void {
    const key = keyOf(occurrence.kind, occurrence.pool, occurrence.site, occurrence.route);
    const existing = this.findings.get(key);
    if (existing === undefined) {
      const { kind, pool, site, route, durationMs, at } = occurrence;
      this.findings.set(key, { kind, pool, site, route, count: 1, maxMs: durationMs, lastMs: durationMs, releasedLate: 0, firstSeen: at, lastSeen: at });
      return;
    }
    existing.count += 1;
    existing.maxMs = Math.max(existing.maxMs, occurrence.durationMs);
    existing.lastMs = occurrence.durationMs;
    existing.lastSeen = occurrence.at;
  }

  /** A reported leak whose client came back: counted on its finding, which stays until it ages out. */
  releasedLate(occurrence: ConnectionOccurrence): void {
    const finding = this.findings.get(keyOf(occurrence.kind, occurrence.pool, occurrence.site, occurrence.route));
    if (finding === undefined) return;
    finding.releasedLate += 1;
    finding.maxMs = Math.max(finding.maxMs, occurrence.durationMs);
    finding.lastSeen = occurrence.at;
  }

  /** The findings renewed within FINDING_TTL_MS of `nowMs`, most recent first. */
  list(nowMs: number): ConnectionFinding[] {
    const kept: ConnectionFinding[] = [];
    for (const [key, finding] of [...this.findings.entriesInOrder()]) {
      if (nowMs - finding.lastSeen > FINDING_TTL_MS) this.findings.delete(key);
      else kept.push({ ...finding });
    }
    return kept.sort((a, b) => b.lastSeen - a.lastSeen);
  }

  reset(): void {
    this.findings.clear();
  }
}
