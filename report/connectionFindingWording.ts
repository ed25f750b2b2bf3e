/** What a connection finding says, and what to do about it: one sentence each, with the figures of the finding and no value of the app's. */
import { callSiteLabel } from '../core/callSite';
import type { ConnectionFinding } from '../instrumentations/pg/connectionFindings';

export interface ConnectionFindingWording {
  readonly message: string;
  readonly suggestion: string;
}

function where(finding: ConnectionFinding): string {
  const site = finding.site === undefined ? 'an unsampled call site' : callSiteLabel(finding.site);
  return finding.route === undefined ? site : `${site} on ${finding.route}`;
}

export function connectionFindingWording(finding: ConnectionFinding): ConnectionFindingWording {
  const longest = Math.round(finding.maxMs);
  switch (finding.kind) {
    case 'pool-client-leak':
      return {
        message: `${finding.count} client(s) of pool ${finding.pool} checked out at ${where(finding)} held past the leak threshold (longest ${longest} ms), ${finding.releasedLate} released late`,
        suggestion: 'Release the client in a finally block (client.release()) on every path, errors included, or use pool.query for single statements.',
      };
    case 'long-transaction':
      return {
        message: `${finding.count} transaction(s) on pool ${finding.pool} begun at ${where(finding)} stayed open past the threshold (longest ${longest} ms)`,
        suggestion: 'Keep transactions short: do slow work (HTTP calls, file I/O, computation) before BEGIN or after COMMIT; long transactions hold locks and keep VACUUM from cleaning up.',
      };
    case 'idle-in-transaction':
      return {
        message: `${finding.count} time(s) a client of pool ${finding.pool} in a transaction begun at ${where(finding)} sat idle past the threshold (longest ${longest} ms)`,
        suggestion: 'Do not await other work between the statements of a transaction; set idle_in_transaction_session_timeout so PostgreSQL ends forgotten ones.',
      };
  }
}
