import type { Rule, RuleHit } from '../rule';
import { list, str } from '../parse/nodeReaders';
import { asNode } from '../parse/parseTree';
import { alterTableCommands, fillsExistingRows } from '../parse/writeStatements';
import { hitAt } from '../ruleWording';
import { notNullCheckFix } from '../fixes/alterTableFixes';
import { withFix } from '../fixes/statementFix';

export const rule: Rule = {
  id: 'set-not-null',
  category: 'migration',
  severity: 'warning',
  description: 'ALTER COLUMN … SET NOT NULL, which scans the whole table under an ACCESS EXCLUSIVE lock; or ADD COLUMN … NOT NULL without a default, which fails on a table that has rows. Not flagged for a table created earlier in the same file, nor for SET NOT NULL after a `CHECK (col IS NOT NULL)` on the column was validated earlier in the file (PostgreSQL 12+ then skips the scan).',
  suggestion: 'For an existing column: add `CHECK (col IS NOT NULL) NOT VALID`, VALIDATE CONSTRAINT (no blocking lock), then SET NOT NULL (PostgreSQL 12+ uses the valid check and skips the scan), then drop the check. For a new column: give it a constant default, or add it nullable, backfill, then apply the steps above.',
  fix: 'SET NOT NULL → ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, SET NOT NULL, DROP CONSTRAINT (PostgreSQL 12+); only in an ALTER TABLE of one command, none after BEGIN in the file.',
  sources: ['file'],
  check: (context) =>
    alterTableCommands(context.stmt).flatMap((alter): RuleHit[] => {
      const { table, subtype, command, relation } = alter;
      const { session } = context;
      if (session.isNewRelation(relation)) return [];
      if (subtype === 'AT_SetNotNull') {
        const name = str(command, 'name') ?? '';
        if (session.hasValidNotNullCheck(relation, name)) return [];
        return [withFix(hitAt(`SET NOT NULL on column "${name}" of "${table}" scans the table under an exclusive lock`, relation), notNullCheckFix(context, alter))];
      }
      const column = asNode(command['def'], 'ColumnDef');
      if (subtype !== 'AT_AddColumn' || column === undefined) return [];
      const kinds = list(column, 'constraints').map((constraint) => str(asNode(constraint, 'Constraint') ?? {}, 'contype') ?? '');
      const required = kinds.includes('CONSTR_NOTNULL') || kinds.includes('CONSTR_PRIMARY');
      if (!required || fillsExistingRows(column)) return [];
      return [hitAt(`column "${str(column, 'colname') ?? ''}" added to "${table}" as NOT NULL without a default fails if the table has rows`, column)];
    }),
};
