/** `--format json`: an array of findings with stable field names, for scripts. */
import type { FileFinding } from './fileFinding';

export function formatJson(findings: readonly FileFinding[]): string {
  const rows = findings.map(({ file, line, column, rule, severity, category, message, suggestion }) => ({
    file,
    line,
    column,
    rule,
    severity,
    category,
    message,
    suggestion,
  }));
  return `${JSON.stringify(rows, null, 2)}\n`;
}
