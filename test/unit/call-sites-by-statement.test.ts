/** The call sites kept per statement: bounded per fingerprint and in fingerprints, a full table reusing its oldest entry for a newcomer. */
import { describe, expect, it } from 'vitest';
import { CallSitesByStatement, MAX_SITES_PER_STATEMENT } from '../../recording/callSites';
import type { CallSite } from '../../core/callSite';

const site = (file: string, line: number, column = 1): CallSite => ({ file, line, column, function: undefined });

describe('CallSitesByStatement', () => {
  it('counts sampled executions per site label (file and line), most sampled first', () => {
    const sites = new CallSitesByStatement(10);
    sites.observe('f1', site('a.js', 1), 100);
    sites.observe('f1', site('b.js', 2), 200);
    sites.observe('f1', site('b.js', 2, 9), 300);
    expect(sites.sitesOf('f1')).toEqual([
      { site: site('b.js', 2), samples: 2, lastSeen: 300 },
      { site: site('a.js', 1), samples: 1, lastSeen: 100 },
    ]);
  });

  it(`keeps the first ${MAX_SITES_PER_STATEMENT} sites of a statement`, () => {
    const sites = new CallSitesByStatement(10);
    for (let line = 1; line <= MAX_SITES_PER_STATEMENT + 2; line += 1) sites.observe('f1', site('a.js', line), line);
    expect(sites.sitesOf('f1').map((sampled) => sampled.site.line)).toEqual([1, 2, 3, 4]);
  });

  it('past its capacity forgets the least recently observed statement; the newcomer starts with its own site only', () => {
    const sites = new CallSitesByStatement(2);
    sites.observe('f1', site('a.js', 1), 1);
    sites.observe('f1', site('a.js', 2), 2);
    sites.observe('f2', site('b.js', 1), 3);
    const before = sites.sitesOf('f1');
    sites.observe('f3', site('c.js', 7), 4);
    expect(sites.sitesOf('f1')).toEqual([]);
    expect(sites.sitesOf('f3')).toEqual([{ site: site('c.js', 7), samples: 1, lastSeen: 4 }]);
    expect(sites.sitesOf('f2')).toEqual([{ site: site('b.js', 1), samples: 1, lastSeen: 3 }]);
    // What was read before stays as it was read.
    expect(before).toEqual([{ site: site('a.js', 1), samples: 1, lastSeen: 1 }, { site: site('a.js', 2), samples: 1, lastSeen: 2 }]);
    sites.observe('f3', site('c.js', 8), 5);
    expect(sites.sitesOf('f3').map((sampled) => sampled.site.line)).toEqual([7, 8]);
  });
});
