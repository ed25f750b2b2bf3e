/** The query string of a request URL, empty when it has none. */
export function queryOf(url: string | undefined): URLSearchParams {
  const text = url ?? '';
  return new URLSearchParams(text.includes('?') ? text.slice(text.indexOf('?') + 1) : '');
}
