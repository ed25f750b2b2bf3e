/** A lint finding with the file it was found in: what every output format renders. */
import type { LintFinding } from '../../sql/lint/lintSql';
import type { Severity } from '../../core/statementAnalysis';

export interface FileFinding extends LintFinding {
  /** The path as given on the command line, or `<stdin>`. */
  readonly file: string;
}

export const STDIN_NAME = '<stdin>';

const RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, error: 2 };

/** `--fail-on` threshold: a finding at or above it fails the run; `none` never does. */
export type FailOn = Severity | 'none';

export function failsRun(findings: readonly FileFinding[], failOn: FailOn): boolean {
  if (failOn === 'none') return false;
  return findings.some((finding) => RANK[finding.severity] >= RANK[failOn]);
}
