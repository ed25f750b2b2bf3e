/**
 * The call sites each statement was sent from, as sampled by capture: at
 * most MAX_SITES_PER_STATEMENT distinct sites per fingerprint (the first
 * found; a statement sent from more places keeps those), each with the
 * executions sampled there. Fingerprints live in an LRU. A new fingerprint
 * in a full table takes over the oldest one's objects: under a flood of
 * one-off statements an entry lives a few hundred admissions, long enough to
 * outlive a young-generation collection, and a new array and object per
 * admission made V8 grow its young generation (and the process's RSS).
 */
import { sameCallSiteLabel, type CallSite } from '../core/callSite';
import { LruMap } from '../core/lruMap';

export const MAX_SITES_PER_STATEMENT = 4;

export interface SampledCallSite {
  readonly site: CallSite;
  /** Sampled executions sent from it. */
  readonly samples: number;
  readonly lastSeen: number;
}

interface MutableSite {
  site: CallSite;
  samples: number;
  lastSeen: number;
}

export class CallSitesByStatement {
  private readonly byFingerprint: LruMap<string, MutableSite[]>;

  constructor(maxFingerprints: number) {
    this.byFingerprint = new LruMap(maxFingerprints);
  }

  observe(fingerprint: string, site: CallSite, at: number): void {
    const sites = this.byFingerprint.get(fingerprint);
    if (sites === undefined) {
      this.admit(fingerprint, site, at);
      return;
    }
    const known = sites.find((candidate) => sameCallSiteLabel(candidate.site, site));
    if (known !== undefined) {
      known.samples += 1;
      known.lastSeen = at;
    } else if (sites.length < MAX_SITES_PER_STATEMENT) {
      sites.push({ site, samples: 1, lastSeen: at });
    }
  }

  /** The statement's sites, most sampled first. */
  sitesOf(fingerprint: string): SampledCallSite[] {
    const sites = this.byFingerprint.peek(fingerprint) ?? [];
    return sites.map(({ site, samples, lastSeen }) => ({ site, samples, lastSeen })).sort((a, b) => b.samples - a.samples);
  }

  reset(): void {
    this.byFingerprint.clear();
  }

  private admit(fingerprint: string, site: CallSite, at: number): void {
    const { byFingerprint } = this;
    const oldest = byFingerprint.size >= byFingerprint.capacity ? byFingerprint.takeOldest()?.[1] : undefined;
    const first = oldest?.[0];
    if (oldest === undefined || first === undefined) {
      byFingerprint.set(fingerprint, [{ site, samples: 1, lastSeen: at }]);
      return;
    }
    oldest.length = 1;
    first.site = site;
    first.samples = 1;
    first.lastSeen = at;
    byFingerprint.set(fingerprint, oldest);
  }
}
