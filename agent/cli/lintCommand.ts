/** `querylens lint [files... | -]`: the agent's SQL rules, offline, for CI and pre-commit hooks. */
import { loadSqlParser } from '../../sql/parse/parser';
import { lintSql } from '../../sql/lint/lintSql';
import { RULE_CATALOGUE } from '../../sql/catalogue/ruleCatalogue';
import { unknownRuleIds } from '../../sql/ruleEngine';
import type { CliCommand, CliIo } from './command';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from './command';
import type { FileFinding } from './fileFinding';
import { failsRun } from './fileFinding';
import { formatJson } from './formatJson';
import { formatSarif } from './formatSarif';
import { formatText, type LintTally } from './formatText';
import type { OutputFormat } from './lintArgs';
import { parseLintArgs } from './lintArgs';
import { readInputs } from './readInputs';
import { loadLintConfig, RC_FILE, type LintConfig } from './lintConfig';
import type { CatalogueEntry } from '../../sql/catalogue/ruleCatalogue';

export const LINT_HELP = `Usage: querylens lint [options] <file|directory|->...

Checks SQL files (migrations, scripts; many statements per file) with the
querylens rules. A directory means every *.sql file under it; - reads stdin.

Options:
  -f, --format <text|json|sarif>       output format (default: text)
      --fail-on <error|warning|info|none>
                                       exit 1 when a finding at or above this
                                       severity exists (default: error)
      --disable <rule[,rule...]>       rules to skip (repeatable); see: querylens rules
  -c, --config <file>                  config file (default: the nearest ${RC_FILE}
                                       or package.json "querylens" key, walking up)
  -h, --help                           this help

Exit codes: 0 no failing finding, 1 failing findings, 2 usage error or unreadable input.
`;

/** The catalogue with the config file's severities, as SARIF's rule table shows it. */
function configuredCatalogue(config: LintConfig): CatalogueEntry[] {
  return RULE_CATALOGUE.map((rule) => ({ ...rule, severity: config.severities.get(rule.id) ?? rule.severity }));
}

function render(format: OutputFormat, findings: readonly FileFinding[], tally: LintTally, cwd: string, config: LintConfig): string {
  switch (format) {
    case 'json':
      return formatJson(findings);
    case 'sarif':
      return formatSarif(findings, configuredCatalogue(config), cwd);
    case 'text':
      return formatText(findings, tally);
  }
}

export const lintCommand: CliCommand = {
  name: 'lint',
  summary: 'check SQL files with the optimizer, security and migration rules',
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const options = parseLintArgs(args);
    if (options.help) {
      io.out(LINT_HELP);
      return EXIT_OK;
    }
    if (options.inputs.length === 0) throw new UsageError('no input: give SQL files, directories, or - for stdin');
    const unknown = unknownRuleIds(options.disabledRules);
    if (unknown.length > 0) throw new UsageError(`--disable names unknown rules: ${unknown.join(', ')} (list them with: querylens rules)`);
    const config = loadLintConfig(io.cwd, options.config);
    const disabledRules = new Set([...config.disabledRules, ...options.disabledRules]);
    const inputs = await readInputs(options.inputs, io);
    await loadSqlParser();
    const results = inputs.map(({ file, sql }) => ({ file, ...lintSql(sql, { disabledRules, postgresVersion: config.postgresVersion }) }));
    const findings = results.flatMap(({ file, findings: found }) => found
      .filter((finding) => !disabledRules.has(finding.rule))
      .map((finding): FileFinding => ({ file, ...finding, severity: config.severities.get(finding.rule) ?? finding.severity })));
    const tally = { files: results.length, statements: results.reduce((sum, result) => sum + result.statements, 0) };
    io.out(render(options.format, findings, tally, io.cwd, config));
    return failsRun(findings, options.failOn) ? EXIT_FINDINGS : EXIT_OK;
  },
};
