import type { Rule, RuleHit } from '../rule';
import { tableName } from '../parse/nodeReaders';
import { child, nodesOfType } from '../parse/parseTree';
import { hitAt } from '../ruleWording';
import { concurrentRefreshFix } from '../fixes/concurrentFixes';
import { withFix } from '../fixes/statementFix';

export const rule: Rule = {
  id: 'require-concurrent-refresh',
  category: 'performance',
  severity: 'warning',
  description: 'REFRESH MATERIALIZED VIEW without CONCURRENTLY: it holds an ACCESS EXCLUSIVE lock on the view, so every read of it waits until the refresh ends. Not flagged WITH NO DATA (nothing is computed), nor in a file for a view created earlier in it (nobody reads it yet, and CONCURRENTLY needs a populated view).',
  suggestion: 'Use REFRESH MATERIALIZED VIEW CONCURRENTLY: it needs a unique index on the view that covers every row and a view already populated, takes longer, and lets reads go on.',
  fix: 'REFRESH MATERIALIZED VIEW → REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index on the view).',
  check: (context) =>
    nodesOfType(context.stmt, 'RefreshMatViewStmt')
      .filter(({ fields }) => fields['concurrent'] !== true && fields['skipData'] !== true && !context.session.isNewRelation(child(fields, 'relation') ?? {}))
      .map(({ fields }): RuleHit => {
        const relation = child(fields, 'relation') ?? {};
        return withFix(hitAt(`REFRESH MATERIALIZED VIEW "${tableName(relation)}" without CONCURRENTLY blocks every read of the view until it ends`, relation), concurrentRefreshFix(context));
      }),
};
