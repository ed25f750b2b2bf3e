/**
 * The statement analyzer capture uses from the app's first statement until
 * the SQL engine has loaded (the agent loads it in a later start-up stage):
 * it has no analysis to give yet, so each finished statement waits here as
 * its text and recording callback, bounded as the engine's own queue is, and
 * the engine's statement cache adopts them once it exists.
 */
import type { StatementAnalysis } from '../core/statementAnalysis';
import type { StatementAnalyzer } from '../instrumentations/pg/queryPatch';
import { PendingStatements } from '../recording/pendingStatements';
import type { StatementCache } from '../recording/statementCache';

export class EarlyStatements implements StatementAnalyzer {
  private readonly pending = new PendingStatements();

  analyze(): StatementAnalysis | undefined {
    return undefined;
  }

  analyzeWhenReady(text: string, record: (analysis: StatementAnalysis) => void): void {
    this.pending.add(text, record);
  }

  handTo(statements: StatementCache): void {
    statements.adopt(this.pending);
  }
}
