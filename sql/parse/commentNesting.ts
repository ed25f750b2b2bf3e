// PostgreSQL block comments nest ("/*" inside "/*" needs two closings), and
// libpg_query's lexer takes time quadratic in the nesting depth: 8,000 levels
// (32 kB of text) cost seconds per call, 20,000 levels (80 kB, under the
// length cap) over a minute for parse, fingerprint and normalize together.
// No real statement nests comments deeply, so a text that does is not
// parsed: it is grouped by its hash like any unparseable text. One linear
// pass, no allocation.

/** Deeper nesting than this is refused before parsing. */
export const MAX_COMMENT_NESTING = 32;

const SLASH = 0x2f;
const STAR = 0x2a;

export function commentNestingTooDeep(text: string, limit = MAX_COMMENT_NESTING): boolean {
  let depth = 0;
  for (let index = text.indexOf('/*'); index !== -1 && index < text.length - 1; index += 1) {
    const here = text.charCodeAt(index);
    const next = text.charCodeAt(index + 1);
    if (here === SLASH && next === STAR) {
      depth += 1;
      if (depth > limit) return true;
      index += 1;
    } else if (here === STAR && next === SLASH && depth > 0) {
      depth -= 1;
      index += 1;
    }
  }
  return false;
}
