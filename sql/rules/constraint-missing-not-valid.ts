import type { Rule, RuleContext, RuleHit, SessionState } from '../rule';
import { list, str } from '../parse/nodeReaders';
import { asNode, type Fields } from '../parse/parseTree';
import { alterTableCommands, fillsExistingRows, type AlterTableCommand } from '../parse/writeStatements';
import { hitAt } from '../ruleWording';
import { notValidConstraintFix } from '../fixes/alterTableFixes';
import { withFix } from '../fixes/statementFix';

// The constraint kinds PostgreSQL can add NOT VALID and validate later.
const DEFERRABLE_VALIDATION: Readonly<Record<string, string>> = { CONSTR_FOREIGN: 'FOREIGN KEY', CONSTR_CHECK: 'CHECK' };

function validatedKind(constraint: Fields): string | undefined {
  return DEFERRABLE_VALIDATION[str(constraint, 'contype') ?? ''];
}

/** ADD CONSTRAINT without NOT VALID. */
function addedConstraint(alter: AlterTableCommand, context: RuleContext): RuleHit[] {
  const { table, command } = alter;
  const constraint = asNode(command['def'], 'Constraint');
  const kind = constraint === undefined ? undefined : validatedKind(constraint);
  if (constraint === undefined || kind === undefined || constraint['skip_validation'] === true) return [];
  const name = str(constraint, 'conname');
  const hit = hitAt(`ADD CONSTRAINT ${name === undefined ? '' : `"${name}" `}(${kind}) on "${table}" checks every existing row under lock`, constraint);
  return [withFix(hit, notValidConstraintFix(context, alter, constraint))];
}

/**
 * ADD COLUMN … CHECK / REFERENCES: a column constraint cannot be NOT VALID.
 * A CHECK is checked on every row at once; a foreign key only when the new
 * column gets values: PostgreSQL does not scan for a column that is NULL in
 * every row.
 */
function addedColumnConstraints({ table, command }: AlterTableCommand): RuleHit[] {
  const column = asNode(command['def'], 'ColumnDef');
  if (column === undefined) return [];
  const filled = fillsExistingRows(column);
  return list(column, 'constraints').flatMap((item): RuleHit[] => {
    const constraint = asNode(item, 'Constraint');
    const kind = constraint === undefined ? undefined : validatedKind(constraint);
    if (constraint === undefined || kind === undefined || (kind === 'FOREIGN KEY' && !filled)) return [];
    return [hitAt(`column "${str(column, 'colname') ?? ''}" added to "${table}" with ${kind === 'CHECK' ? 'a CHECK' : 'a default and a FOREIGN KEY'} checks every existing row under an exclusive lock`, constraint)];
  });
}

/** VALIDATE CONSTRAINT in the transaction block that added the constraint NOT VALID. */
function validatedInSameTransaction({ table, command, relation }: AlterTableCommand, session: SessionState): RuleHit[] {
  const name = str(command, 'name') ?? '';
  if (!session.addedNotValidInTransaction(relation, name)) return [];
  return [hitAt(`VALIDATE CONSTRAINT "${name}" on "${table}" runs in the transaction that added it NOT VALID: the check of every row then holds the lock the ADD took until COMMIT, which the NOT VALID split was meant to avoid`, relation)];
}

export const rule: Rule = {
  id: 'constraint-missing-not-valid',
  category: 'migration',
  severity: 'warning',
  description: 'ALTER TABLE … ADD CONSTRAINT (FOREIGN KEY or CHECK) without NOT VALID, or ADD COLUMN … CHECK (or REFERENCES, with a default): every existing row is checked while a lock blocks writes (for a foreign key, on both tables); or VALIDATE CONSTRAINT in the same transaction block as the NOT VALID ADD, which holds that lock through the check. Not flagged for a table created earlier in the same file.',
  suggestion: 'Add the constraint with NOT VALID (new rows are checked at once; for a new column, add the column first, then the constraint), then `ALTER TABLE … VALIDATE CONSTRAINT …` in a separate transaction, which takes a lock that lets reads and writes go on.',
  fix: 'ADD CONSTRAINT name FOREIGN KEY / CHECK → the same NOT VALID, then VALIDATE CONSTRAINT name; only for a named constraint in an ALTER TABLE of one command, none after BEGIN in the file.',
  sources: ['file'],
  check: (context) =>
    alterTableCommands(context.stmt).flatMap((command): RuleHit[] => {
      if (context.session.isNewRelation(command.relation)) return [];
      if (command.subtype === 'AT_ValidateConstraint') return validatedInSameTransaction(command, context.session);
      if (command.subtype === 'AT_AddConstraint') return addedConstraint(command, context);
      return command.subtype === 'AT_AddColumn' ? addedColumnConstraints(command) : [];
    }),
};
