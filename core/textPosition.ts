/** Positions in SQL text: skipping what precedes a statement, and 1-based line/column for humans and SARIF. */

/** Index of the first character at or after `from` that is not whitespace, a `--` comment or a (nested) block comment. */
export function skipTrivia(text: string, from = 0): number {
  let index = from;
  while (index < text.length) {
    if (/\s/.test(text[index])) {
      index += 1;
    } else if (text.startsWith('--', index)) {
      const end = text.indexOf('\n', index);
      index = end === -1 ? text.length : end + 1;
    } else if (text.startsWith('/*', index)) {
      let depth = 0;
      do {
        if (text.startsWith('/*', index)) {
          depth += 1;
          index += 2;
        } else if (text.startsWith('*/', index)) {
          depth -= 1;
          index += 2;
        } else {
          index += 1;
        }
      } while (depth > 0 && index < text.length);
    } else {
      break;
    }
  }
  return Math.min(index, text.length);
}

export interface LineColumn {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units (SARIF's default column kind). */
  readonly column: number;
}

export function lineColumn(text: string, index: number): LineColumn {
  const bounded = Math.max(0, Math.min(index, text.length));
  let line = 1;
  let lineStart = 0;
  for (let at = text.indexOf('\n'); at !== -1 && at < bounded; at = text.indexOf('\n', at + 1)) {
    line += 1;
    lineStart = at + 1;
  }
  return { line, column: bounded - lineStart + 1 };
}
