/**
 * `file:line:col severity rule message`, the suggestion on the next line
 * (indented), like compilers and linters print; then one summary line, also
 * for a clean run, so a run that checked nothing (an empty folder, a wrong
 * glob) does not look like a pass. A fix follows its finding: what it does,
 * then its statements, ready to paste.
 */
import type { LintFix } from '../../sql/lint/lintFix';
import type { FileFinding } from './fileFinding';

/** What a run checked. */
export interface LintTally {
  readonly files: number;
  readonly statements: number;
}

function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function severityCounts(findings: readonly FileFinding[]): string {
  if (findings.length === 0) return 'no findings';
  return (['error', 'warning', 'info'] as const)
    .map((severity) => [severity, findings.filter((finding) => finding.severity === severity).length] as const)
    .filter(([, count]) => count > 0)
    .map(([severity, count]) => counted(count, severity))
    .join(', ');
}

function fixLines(fix: LintFix | undefined): string {
  if (fix === undefined) return '';
  return `\n  fix: ${fix.description}${fix.statements.map((statement) => `\n    ${statement.replace(/\n/g, '\n    ')};`).join('')}`;
}

export function formatText(findings: readonly FileFinding[], tally: LintTally): string {
  const summary = `querylens lint: ${counted(tally.files, 'file')}, ${counted(tally.statements, 'statement')}, ${severityCounts(findings)}\n`;
  if (findings.length === 0) return summary;
  const lines = findings.map(
    (finding) =>
      `${finding.file}:${finding.line}:${finding.column} ${finding.severity} ${finding.rule} ${finding.message}\n  ${finding.suggestion}${fixLines(finding.fix)}`,
  );
  return `${lines.join('\n')}\n\n${summary}`;
}
