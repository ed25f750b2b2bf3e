/**
 * The ALTER TABLE rewrites that split a check of every row from the lock:
 * ADD CONSTRAINT … NOT VALID then VALIDATE CONSTRAINT, and SET NOT NULL
 * through a validated CHECK. Only for an ALTER TABLE of one command (the
 * others would have to be moved around it) outside a BEGIN block of the
 * file (VALIDATE in the ADD's transaction holds the ADD's lock).
 */
import type { StatementFix } from '../../core/statementAnalysis';
import type { RuleContext } from '../rule';
import { list, str } from '../parse/nodeReaders';
import { asNode, type Fields } from '../parse/parseTree';
import { quoteIdentifier } from '../parse/identifiers';
import type { AlterTableCommand } from '../parse/writeStatements';
import { checkedFix } from './statementFix';
import { bodyTokens, statementTokens, type StatementToken } from './statementTokens';
import { nameEnd, namesValue, statementBody, tokenAt, truncatedName } from './statementText';

/** The first PostgreSQL whose SET NOT NULL skips the scan when a valid CHECK (col IS NOT NULL) proves it. */
const NOT_NULL_BY_CHECK_VERSION = 12;

const LATER_TRANSACTION = 'VALIDATE must run in a later transaction than the ADD (a migration tool that wraps each migration in one: put it in the next migration), or the lock the ADD took is held through the check.';

interface AlterText {
  readonly tokens: readonly StatementToken[];
  /** `ALTER TABLE [IF EXISTS] [ONLY] name`, as written: what each statement of the fix starts with. */
  readonly prefix: string;
  /** The index of the first token after the table name. */
  readonly next: number;
}

function alterText({ stmt, text, session }: RuleContext, relation: Fields): AlterText | undefined {
  if (session.inTransaction || list(asNode(stmt, 'AlterTableStmt') ?? {}, 'cmds').length !== 1) return undefined;
  const tokens = bodyTokens(statementTokens(text));
  const at = tokenAt(tokens, relation['location']);
  let end = at < 0 ? -1 : nameEnd(tokens, at);
  if (end < 0 || !namesValue(tokens, end, str(relation, 'relname'))) return undefined;
  if (tokens[end + 1]?.text === '*') end += 1;
  return { tokens, prefix: text.slice(tokens[0].start, tokens[end].end), next: end + 1 };
}

/** ADD CONSTRAINT name FOREIGN KEY / CHECK … → the same NOT VALID, then VALIDATE CONSTRAINT name. None for an unnamed constraint: VALIDATE needs its name. */
export function notValidConstraintFix(context: RuleContext, { relation }: AlterTableCommand, constraint: Fields): StatementFix | undefined {
  const alter = alterText(context, relation);
  const at = alter === undefined ? -1 : tokenAt(alter.tokens, constraint['location']);
  if (alter === undefined || alter.tokens[at]?.upper !== 'CONSTRAINT' || !namesValue(alter.tokens, at + 1, str(constraint, 'conname'))) return undefined;
  return checkedFix(
    `Adds the constraint NOT VALID (new and changed rows are checked at once, under a brief lock), then checks the existing rows with VALIDATE CONSTRAINT, whose lock lets reads and writes go on. ${LATER_TRANSACTION}`,
    [`${statementBody(context.text, alter.tokens)} NOT VALID`, `${alter.prefix} VALIDATE CONSTRAINT ${alter.tokens[at + 1].text}`], false, alter.tokens);
}

/** ALTER [COLUMN] col SET NOT NULL → CHECK (col IS NOT NULL) NOT VALID, VALIDATE, SET NOT NULL (no scan: PostgreSQL 12+), DROP the check. */
export function notNullCheckFix(context: RuleContext, { relation, command }: AlterTableCommand): StatementFix | undefined {
  const { postgresVersion } = context;
  if (postgresVersion !== undefined && postgresVersion < NOT_NULL_BY_CHECK_VERSION) return undefined;
  const alter = alterText(context, relation);
  if (alter === undefined || alter.tokens[alter.next]?.upper !== 'ALTER') return undefined;
  const at = alter.tokens[alter.next + 1]?.upper === 'COLUMN' ? alter.next + 2 : alter.next + 1;
  const name = str(command, 'name');
  if (name === undefined || !namesValue(alter.tokens, at, name)) return undefined;
  const check = quoteIdentifier(truncatedName(`${str(relation, 'relname') ?? ''}_${name}_not_null_check`));
  const { prefix } = alter;
  return checkedFix(
    `Proves the column has no NULL with a CHECK added NOT VALID and then validated (a lock that lets reads and writes go on), so SET NOT NULL skips its scan (PostgreSQL ${NOT_NULL_BY_CHECK_VERSION}+) and holds its exclusive lock only briefly; the check is dropped after. ${LATER_TRANSACTION}`,
    [
      `${prefix} ADD CONSTRAINT ${check} CHECK (${alter.tokens[at].text} IS NOT NULL) NOT VALID`,
      `${prefix} VALIDATE CONSTRAINT ${check}`,
      statementBody(context.text, alter.tokens),
      `${prefix} DROP CONSTRAINT ${check}`,
    ], false, alter.tokens);
}
