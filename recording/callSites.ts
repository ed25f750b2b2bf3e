/**
 * The call sites each statement was sent from, as sampled by capture: at
 * most MAX_SITES_PER_STATEMENT distinct sites per fingerprint (the first
 * found; a statement sent from more places keeps those), each with the
 * executions sampled there. Fingerprints live in an LRU.
 */
import { callSiteLabel, type CallSite } from '../core/callSite';
import { LruMap } from '../core/lruMap';

export const MAX_SITES_PER_STATEMENT = 4;

export interface SampledCallSite {
  readonly site: CallSite;
  /** Sampled executions sent from it. */
  readonly samples: number;
  readonly lastSeen: number;
}

interface MutableSite {
  readonly site: CallSite;
  readonly label: string;
  samples: number;
  lastSeen: number;
}

export class CallSitesByStatement {
  private readonly byFingerprint: LruMap<string, MutableSite[]>;

  constructor(maxFingerprints: number) {
    this.byFingerprint = new LruMap(maxFingerprints);
  }

  observe(fingerprint: string, site: CallSite, at: number): void {
    let sites = this.byFingerprint.get(fingerprint);
    if (sites === undefined) {
      sites = [];
      this.byFingerprint.set(fingerprint, sites);
    }
    const label = callSiteLabel(site);
    const known = sites.find((candidate) => candidate.label === label);
    if (known !== undefined) {
      known.samples += 1;
      known.lastSeen = at;
    } else if (sites.length < MAX_SITES_PER_STATEMENT) {
      sites.push({ site, label, samples: 1, lastSeen: at });
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
}
