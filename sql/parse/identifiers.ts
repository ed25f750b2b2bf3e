/**
 * Names the agent writes into SQL itself (index columns, constraint names):
 * bare where PostgreSQL reads them back unchanged, else double-quoted.
 */

const BARE_IDENTIFIER = /^[a-z_][a-z0-9_$]*$/;

/**
 * PostgreSQL's reserved keywords (pg_get_keywords() catcode R, PostgreSQL 15)
 * and those reserved but for function and type names (T): neither can name a
 * column or a constraint unquoted. Unreserved keywords can, and stay bare.
 */
const RESERVED_KEYWORDS = new Set([
  'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast', 'check',
  'collate', 'column', 'constraint', 'create', 'current_catalog', 'current_date', 'current_role', 'current_time',
  'current_timestamp', 'current_user', 'default', 'deferrable', 'desc', 'distinct', 'do', 'else', 'end', 'except',
  'false', 'fetch', 'for', 'foreign', 'from', 'grant', 'group', 'having', 'in', 'initially', 'intersect', 'into',
  'lateral', 'leading', 'limit', 'localtime', 'localtimestamp', 'not', 'null', 'offset', 'on', 'only', 'or', 'order',
  'placing', 'primary', 'references', 'returning', 'select', 'session_user', 'some', 'symmetric', 'table', 'then',
  'to', 'trailing', 'true', 'union', 'unique', 'user', 'using', 'variadic', 'when', 'where', 'window', 'with',
  'authorization', 'binary', 'collation', 'concurrently', 'cross', 'current_schema', 'freeze', 'full', 'ilike',
  'inner', 'is', 'isnull', 'join', 'left', 'like', 'natural', 'notnull', 'outer', 'overlaps', 'right', 'similar',
  'tablesample', 'verbose',
]);

/** An identifier as SQL must write it: bare when it can be, else double-quoted (reserved keywords, capitals, other characters). */
export function quoteIdentifier(name: string): string {
  return BARE_IDENTIFIER.test(name) && !RESERVED_KEYWORDS.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}
