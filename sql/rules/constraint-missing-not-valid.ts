import type { Rule, RuleHit } from '../rule';
import { str } from '../parse/nodeReaders';
import { asNode } from '../parse/parseTree';
import { alterTableCommands } from '../parse/writeStatements';
import { hitAt } from '../ruleWording';

// The constraint kinds PostgreSQL can add NOT VALID and validate later.
const DEFERRABLE_VALIDATION: Readonly<Record<string, string>> = { CONSTR_FOREIGN: 'FOREIGN KEY', CONSTR_CHECK: 'CHECK' };

export const rule: Rule = {
  id: 'constraint-missing-not-valid',
  category: 'migration',
  severity: 'warning',
  description: 'ALTER TABLE … ADD CONSTRAINT (FOREIGN KEY or CHECK) without NOT VALID: every existing row is checked while a lock blocks writes (for a foreign key, on both tables).',
  suggestion: 'Add it with NOT VALID (new rows are checked at once), then `ALTER TABLE … VALIDATE CONSTRAINT …` in a separate transaction, which takes a lock that lets reads and writes go on.',
  sources: ['file'],
  check: ({ stmt }) =>
    alterTableCommands(stmt).flatMap(({ table, subtype, command }): RuleHit[] => {
      const constraint = asNode(command['def'], 'Constraint');
      const kind = constraint === undefined ? undefined : DEFERRABLE_VALIDATION[str(constraint, 'contype') ?? ''];
      if (subtype !== 'AT_AddConstraint' || constraint === undefined || kind === undefined || constraint['skip_validation'] === true) return [];
      const name = str(constraint, 'conname');
      return [hitAt(`ADD CONSTRAINT ${name === undefined ? '' : `"${name}" `}(${kind}) on "${table}" checks every existing row under lock`, constraint)];
    }),
};
