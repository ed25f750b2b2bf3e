/**
 * A fix as `querylens lint` reports it: the statements, and where in the
 * file they go (what SARIF's `replacements` need: the region to delete and
 * the text to insert).
 */
import type { StatementFix } from '../../core/statementAnalysis';
import { lineColumn } from '../../core/textPosition';
import type { PreparedStatement } from '../parse/preparedStatements';

/** A span of the file. Lines and columns are 1-based, columns in UTF-16 code units; the end is exclusive (SARIF's convention). */
export interface TextRegion {
  readonly startLine: number;
  readonly startColumn: number;
  readonly endLine: number;
  readonly endColumn: number;
  /** String index (UTF-16 code units) of the start, and the length. */
  readonly charOffset: number;
  readonly charLength: number;
  /** The same span in the file's UTF-8 bytes. */
  readonly byteOffset: number;
  readonly byteLength: number;
}

export interface LintFix extends StatementFix {
  /** The flagged statement from its first token to its last: comments before it and the `;` after it stay. */
  readonly region: TextRegion;
  /** What replaces the region: the statements with `;` and a line break between them. */
  readonly replacement: string;
}

function region(sql: string, start: number, end: number): TextRegion {
  const from = lineColumn(sql, start);
  const to = lineColumn(sql, end);
  const byteOffset = Buffer.byteLength(sql.slice(0, start), 'utf8');
  return {
    startLine: from.line, startColumn: from.column, endLine: to.line, endColumn: to.column,
    charOffset: start, charLength: end - start,
    byteOffset, byteLength: Buffer.byteLength(sql.slice(start, end), 'utf8'),
  };
}

export function lintFix(sql: string, statement: PreparedStatement, fix: StatementFix): LintFix {
  const { start, end } = fix.replaces;
  return { ...fix, region: region(sql, statement.start + start, statement.start + end), replacement: fix.statements.join(';\n') };
}
