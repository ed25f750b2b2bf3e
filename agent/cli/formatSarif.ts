/**
 * `--format sarif`: SARIF 2.1.0 for code scanning (GitHub, GitLab, IDEs).
 * The driver lists the whole catalogue (statement, plan and runtime rules,
 * and lint's own), so a result's `ruleIndex` points into it and one rule
 * table serves every querylens finding. A finding whose rule has a safe
 * rewrite carries it as a SARIF fix: one replacement of the statement's
 * region in its file, which code-scanning UIs can offer to apply.
 */
import { relative, sep } from 'node:path';
import type { CatalogueEntry } from '../../sql/catalogue/ruleCatalogue';
import type { Severity } from '../../core/statementAnalysis';
import { AGENT_VERSION } from '../../core/version';
import type { LintFix } from '../../sql/lint/lintFix';
import type { FileFinding } from './fileFinding';
import { STDIN_NAME } from './fileFinding';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Readonly<Record<Severity, SarifLevel>> = { error: 'error', warning: 'warning', info: 'note' };

/** `large-offset` → `LargeOffset`: SARIF's `name` is an identifier-like label. */
function ruleName(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_match, _dash: string, letter: string) => letter.toUpperCase());
}

function sarifRule(rule: CatalogueEntry) {
  return {
    id: rule.id,
    name: ruleName(rule.id),
    shortDescription: { text: rule.description },
    help: { text: rule.suggestion },
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: { category: rule.category, kind: rule.kind, tags: [rule.category, rule.kind] },
  };
}

/** Repository-relative, forward slashes, percent-encoded: what code scanning matches against files. */
function artifactUri(file: string, cwd: string): string {
  if (file === STDIN_NAME) return 'stdin';
  return encodeURI(relative(cwd, file).split(sep).join('/'));
}

function sarifFixes(fix: LintFix | undefined, artifactLocation: { readonly uri: string; readonly uriBaseId: string }) {
  if (fix === undefined) return {};
  const { startLine, startColumn, endLine, endColumn } = fix.region;
  return {
    fixes: [{
      description: { text: fix.description },
      artifactChanges: [{ artifactLocation, replacements: [{ deletedRegion: { startLine, startColumn, endLine, endColumn }, insertedContent: { text: fix.replacement } }] }],
    }],
  };
}

function sarifResult(finding: FileFinding, index: ReadonlyMap<string, number>, cwd: string) {
  const artifactLocation = { uri: artifactUri(finding.file, cwd), uriBaseId: '%SRCROOT%' };
  return {
    ruleId: finding.rule,
    ...(index.has(finding.rule) ? { ruleIndex: index.get(finding.rule) } : {}),
    level: LEVEL[finding.severity],
    message: { text: `${finding.message}. ${finding.suggestion}` },
    locations: [{ physicalLocation: { artifactLocation, region: { startLine: finding.line, startColumn: finding.column } } }],
    ...sarifFixes(finding.fix, artifactLocation),
  };
}

export function formatSarif(findings: readonly FileFinding[], catalogue: readonly CatalogueEntry[], cwd: string): string {
  const index = new Map(catalogue.map((rule, position) => [rule.id, position]));
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'querylens',
            version: AGENT_VERSION,
            rules: catalogue.map(sarifRule),
          },
        },
        columnKind: 'utf16CodeUnits',
        results: findings.map((finding) => sarifResult(finding, index, cwd)),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
