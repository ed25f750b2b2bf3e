import type { Rule, RuleHit } from '../rule';
import { alterTableCommands, hitAt, str } from '../parseTree';

export const rule: Rule = {
  id: 'set-not-null',
  category: 'migration',
  severity: 'warning',
  description: 'ALTER TABLE … ALTER COLUMN … SET NOT NULL: the whole table is scanned under an ACCESS EXCLUSIVE lock, blocking reads and writes.',
  suggestion: 'Add `CHECK (col IS NOT NULL) NOT VALID`, then VALIDATE CONSTRAINT (no blocking lock), then SET NOT NULL (PostgreSQL 12+ uses the valid check and skips the scan), then drop the check.',
  sources: ['file'],
  check: ({ stmt }) =>
    alterTableCommands(stmt)
      .filter(({ subtype }) => subtype === 'AT_SetNotNull')
      .map(({ table, command, relation }): RuleHit => hitAt(`SET NOT NULL on column "${str(command, 'name') ?? ''}" of "${table}" scans the table under an exclusive lock`, relation)),
};
