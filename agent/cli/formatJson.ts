/** `--format json`: an array of findings with stable field names, for scripts; `fix` only where the rule has a safe rewrite. */
import type { FileFinding } from './fileFinding';

export function formatJson(findings: readonly FileFinding[]): string {
  const rows = findings.map(({ file, line, column, rule, severity, category, message, suggestion, fix }) => ({
    file,
    line,
    column,
    rule,
    severity,
    category,
    message,
    suggestion,
    ...(fix === undefined ? {} : { fix: { description: fix.description, statements: fix.statements, outsideTransaction: fix.outsideTransaction, region: fix.region, replacement: fix.replacement } }),
  }));
  return `${JSON.stringify(rows, null, 2)}\n`;
}
