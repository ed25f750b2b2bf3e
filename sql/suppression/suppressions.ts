/**
 * Which rules a text's suppression comments turn off for each of its
 * statements. Read once per distinct text (lint: per file; the agent: when
 * the statement cache analyses a new text), never per execution.
 */
import { CATALOGUE_IDS } from '../catalogue/ruleCatalogue';
import type { SqlParser } from '../parse/parser';
import type { EngineHit } from '../ruleEngine';
import { readSuppressionComments, type SuppressionComment } from './suppressionComments';

/** A comment lint warns about: it names a rule querylens lacks (`id`), or none at all. */
export interface UselessSuppression {
  readonly offset: number;
  readonly id: string | undefined;
}

export interface Suppressions {
  /** Rule ids off for each statement, by statement index. */
  readonly byStatement: readonly ReadonlySet<string>[];
  /** Every id some comment turns off: what the runtime detectors and plan rules skip for the text. */
  readonly all: ReadonlySet<string>;
  readonly useless: readonly UselessSuppression[];
}

/** Where each statement ends in the text (`start` + length): a comment belongs to the first statement ending after it. */
export interface StatementSpan {
  readonly start: number;
  readonly text: string;
}

function uselessIn(comments: readonly SuppressionComment[]): UselessSuppression[] {
  return comments.flatMap((comment): UselessSuppression[] => comment.rules.length === 0
    ? [{ offset: comment.offset, id: undefined }]
    : comment.rules.filter((id) => !CATALOGUE_IDS.has(id)).map((id) => ({ offset: comment.offset, id })));
}

/** Undefined when the text has no suppression comment (nearly always). */
export function readSuppressions(text: string, statements: readonly StatementSpan[], scanner: SqlParser): Suppressions | undefined {
  const comments = readSuppressionComments(text, scanner);
  if (comments.length === 0) return undefined;
  const fileWide = comments.filter((comment) => comment.scope === 'file').flatMap((comment) => comment.rules);
  const byStatement = statements.map(() => new Set(fileWide));
  for (const comment of comments) {
    if (comment.scope !== 'next-statement') continue;
    const index = statements.findIndex((statement) => statement.start + statement.text.length > comment.offset);
    if (index >= 0) for (const id of comment.rules) byStatement[index].add(id);
  }
  const all = new Set(byStatement.flatMap((ids) => [...ids]));
  return { byStatement, all, useless: uselessIn(comments) };
}

/** The hits no comment suppressed. */
export function unsuppressed(hits: readonly EngineHit[], suppressions: Suppressions | undefined): readonly EngineHit[] {
  if (suppressions === undefined) return hits;
  return hits.filter((hit) => suppressions.byStatement[hit.statementIndex]?.has(hit.rule.id) !== true);
}
