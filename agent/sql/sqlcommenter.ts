/**
 * sqlcommenter (https://google.github.io/sqlcommenter/spec/): trace context
 * and tags appended to a statement as `/*key='url-encoded value',…*\/`, keys
 * sorted, so that PostgreSQL logs and pg_stat_activity can be joined to
 * traces. Like the OpenTelemetry pg option, statements that already carry a
 * comment and named prepared statements are left alone: a comment would make
 * each execution of a prepared statement a different text.
 */

/** URL-encode, then escape the single quotes encodeURIComponent leaves as they are. */
function encode(value: string): string {
  return encodeURIComponent(value).replace(/'/g, "\\'");
}

/** Whether a statement may get a comment appended. */
export function sqlCommenterApplies(text: string, preparedStatementName?: string): boolean {
  if (preparedStatementName !== undefined && preparedStatementName !== '') return false;
  return !text.includes('--') && !text.includes('/*');
}

/**
 * Returns `text` with the comment appended before a trailing semicolon, or
 * `text` unchanged when there is nothing to add or the statement must be
 * left alone.
 */
export function appendSqlCommenter(
  text: string,
  traceparent: string | undefined,
  tags: Readonly<Record<string, string | undefined>>,
  preparedStatementName?: string,
): string {
  if (!sqlCommenterApplies(text, preparedStatementName)) return text;
  const pairs: [string, string][] = Object.entries(tags)
    .filter((pair): pair is [string, string] => pair[1] !== undefined && pair[1] !== '');
  if (traceparent !== undefined && traceparent !== '') pairs.push(['traceparent', traceparent]);
  if (pairs.length === 0) return text;
  const comment = pairs
    .map(([key, value]) => [encode(key), encode(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}='${value}'`)
    .join(',');
  const body = text.trimEnd();
  return body.endsWith(';') ? `${body.slice(0, -1)} /*${comment}*/;` : `${body} /*${comment}*/`;
}
