/** `file:line:col severity rule message`, the suggestion on the next line (indented), like compilers and linters print. */
import type { FileFinding } from './fileFinding';

export function formatText(findings: readonly FileFinding[]): string {
  if (findings.length === 0) return '';
  const lines = findings.map(
    (finding) =>
      `${finding.file}:${finding.line}:${finding.column} ${finding.severity} ${finding.rule} ${finding.message}\n  ${finding.suggestion}`,
  );
  const counts = (['error', 'warning', 'info'] as const)
    .map((severity) => [severity, findings.filter((finding) => finding.severity === severity).length] as const)
    .filter(([, count]) => count > 0)
    .map(([severity, count]) => `${count} ${severity}${count === 1 ? '' : 's'}`);
  return `${lines.join('\n')}\n\n${counts.join(', ')}\n`;
}
