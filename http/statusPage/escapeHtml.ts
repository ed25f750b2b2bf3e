/**
 * The one escaping function of the status page: every string that reaches
 * HTML (statement text, identifiers, comments, rule messages, names) goes
 * through it, in text and in attribute values alike.
 */
const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}
