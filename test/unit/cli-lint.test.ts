import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_RULES } from '../../sql/rules/index';
import { RULE_CATALOGUE } from '../../sql/catalogue/ruleCatalogue';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'agent', 'cli', 'main.js');
let dir = '';

function run(args: readonly string[], input?: string) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: dir, input, encoding: 'utf8', timeout: 20_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface JsonFinding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly rule: string;
  readonly severity: string;
  readonly category: string;
  readonly message: string;
  readonly suggestion: string;
  readonly fix?: {
    readonly description: string;
    readonly statements: readonly string[];
    readonly outsideTransaction: boolean;
    readonly region: { readonly startLine: number; readonly startColumn: number; readonly endLine: number; readonly endColumn: number; readonly charOffset: number; readonly charLength: number };
    readonly replacement: string;
  };
}

function json(args: readonly string[], input?: string): JsonFinding[] {
  const result = run([...args, '--format', 'json'], input);
  return JSON.parse(result.stdout) as JsonFinding[];
}

/** The character a 1-based line/column points at in `text`. */
function charAt(text: string, line: number, column: number): string {
  return text.split('\n')[line - 1][column - 1];
}

const MIGRATION = `-- 001: users
CREATE INDEX users_email ON users (email);

SELECT * FROM users WHERE id = $1;
DELETE FROM sessions;
`;
const WARNINGS_ONLY = 'SELECT * FROM users WHERE id = $1;\n';
const CLEAN = 'SELECT id FROM users WHERE id = $1;\n';
const BROKEN = 'SELECT 1;\nSELEC id FROM users;\n';

beforeAll(() => {
  // npm test builds first; a tsc here would rewrite dist/ under the other test files, without the build's later steps.
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  dir = mkdtempSync(join(tmpdir(), 'ql-cli-lint-'));
  writeFileSync(join(dir, 'migration.sql'), MIGRATION);
  writeFileSync(join(dir, 'warnings.sql'), WARNINGS_ONLY);
  writeFileSync(join(dir, 'clean.sql'), CLEAN);
  writeFileSync(join(dir, 'broken.sql'), BROKEN);
  mkdirSync(join(dir, 'migrations', 'nested'), { recursive: true });
  writeFileSync(join(dir, 'migrations', 'nested', 'b.sql'), MIGRATION);
  writeFileSync(join(dir, 'migrations', 'a.sql'), WARNINGS_ONLY);
  writeFileSync(join(dir, 'migrations', 'notes.txt'), 'DELETE FROM everything;');
});

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('querylens lint', () => {
  it('prints file:line:col severity rule message, the suggestion indented below, and fails on errors', () => {
    const result = run(['lint', 'migration.sql']);
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    const deleteLine = lines.findIndex((line) => / error delete-without-where /.test(line));
    expect(lines[deleteLine]).toMatch(/^migration\.sql:5:\d+ error delete-without-where \S.*$/);
    expect(lines[deleteLine + 1]).toMatch(/^ {2}\S/);
    const rule = ALL_RULES.find((candidate) => candidate.id === 'delete-without-where');
    expect(lines[deleteLine + 1].trim()).toBe(rule?.suggestion);
    expect(lines.some((line) => line.startsWith('migration.sql:2:') && line.includes('require-concurrent-index'))).toBe(true);
  });

  it('gives each finding a position that points into the file', () => {
    const findings = json(['lint', 'migration.sql']);
    expect(findings.length).toBeGreaterThanOrEqual(3);
    for (const finding of findings) {
      const fields = ['category', 'column', 'file', 'line', 'message', 'rule', 'severity', 'suggestion'];
      // A fix only where the rule has a safe rewrite: here the CREATE INDEX.
      expect(Object.keys(finding).sort()).toEqual(finding.rule === 'require-concurrent-index' ? [...fields.slice(0, 3), 'fix', ...fields.slice(3)] : fields);
      expect(finding.file).toBe('migration.sql');
      expect(charAt(MIGRATION, finding.line, finding.column)).toMatch(/\S/);
    }
    const star = findings.find((finding) => finding.rule === 'select-star');
    expect(star === undefined ? '' : charAt(MIGRATION, star.line, star.column)).toBe('*');
  });

  it('sets the exit code from --fail-on', () => {
    expect(run(['lint', 'warnings.sql']).code).toBe(0);
    expect(run(['lint', '--fail-on', 'warning', 'warnings.sql']).code).toBe(1);
    expect(run(['lint', '--fail-on', 'info', 'warnings.sql']).code).toBe(1);
    expect(run(['lint', '--fail-on', 'none', 'migration.sql']).code).toBe(0);
    expect(run(['lint', '--fail-on', 'info', 'clean.sql']).code).toBe(0);
  });

  it('prints one summary line for a clean run, and the same line after findings', () => {
    expect(run(['lint', 'clean.sql'])).toMatchObject({ code: 0, stdout: 'querylens lint: 1 file, 1 statement, no findings\n', stderr: '' });
    expect(run(['lint', 'clean.sql', 'clean.sql', 'warnings.sql', '--disable', 'select-star']).stdout).toBe('querylens lint: 3 files, 3 statements, no findings\n');
    const withFindings = run(['lint', 'migration.sql', 'clean.sql']).stdout.trimEnd().split('\n');
    expect(withFindings.at(-2)).toBe('');
    expect(withFindings.at(-1)).toMatch(/^querylens lint: 2 files, 4 statements, 1 error, \d+ warnings?$/);
    // A file the parser rejects is counted as a file; none of its statements was checked.
    expect(run(['lint', 'broken.sql']).stdout.trimEnd().split('\n').at(-1)).toBe('querylens lint: 1 file, 0 statements, 1 error');
    // A folder without SQL files checks nothing, and says so.
    mkdirSync(join(dir, 'empty'), { recursive: true });
    expect(run(['lint', 'empty']).stdout).toBe('querylens lint: 0 files, 0 statements, no findings\n');
  });

  it('keeps json and sarif output free of the summary', () => {
    expect(run(['lint', 'clean.sql', '--format', 'json']).stdout).toBe('[]\n');
    const sarif = JSON.parse(run(['lint', 'clean.sql', '--format', 'sarif']).stdout) as { runs: Array<{ results: unknown[] }> };
    expect(sarif.runs[0].results).toEqual([]);
    expect(run(['lint', 'migration.sql', '--format', 'json']).stdout).not.toContain('querylens lint:');
  });

  it('reads stdin for -', () => {
    const result = run(['lint', '-', '--fail-on', 'warning'], WARNINGS_ONLY);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^<stdin>:1:\d+ warning select-star /);
    expect(json(['lint', '-'], MIGRATION).map((finding) => finding.file)).toContain('<stdin>');
  });

  it('reports a file the parser rejects at the parser position', () => {
    const result = run(['lint', 'broken.sql', 'clean.sql']);
    expect(result.code).toBe(1);
    const findings = json(['lint', 'broken.sql']);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'parse-error', severity: 'error', line: 2, column: 1 });
    expect(findings[0].message).toContain('SELEC');
  });

  it('lints every .sql file under a directory, in a stable order', () => {
    const files = [...new Set(json(['lint', 'migrations']).map((finding) => finding.file))];
    expect(files).toEqual([join('migrations', 'a.sql'), join('migrations', 'nested', 'b.sql')]);
  });

  it('skips disabled rules', () => {
    const findings = json(['lint', 'migration.sql', '--disable', 'delete-without-where,select-star']);
    expect(findings.map((finding) => finding.rule)).not.toContain('delete-without-where');
    expect(findings.map((finding) => finding.rule)).not.toContain('select-star');
    expect(findings.length).toBeGreaterThan(0);
    expect(run(['lint', 'migration.sql', '--disable', 'delete-without-where']).code).toBe(0);
  });

  it('exits 2 with a clear message on usage errors and unreadable files', () => {
    const cases: ReadonlyArray<readonly [readonly string[], RegExp]> = [
      [['lint', 'missing.sql'], /cannot read missing\.sql: no such file or directory/],
      [['lint', '--format', 'xml', 'clean.sql'], /--format "xml" is not valid \(accepted: text, json, sarif\)/],
      [['lint', '--fail-on', 'sometimes', 'clean.sql'], /--fail-on "sometimes" is not valid/],
      [['lint', '--no-such-option', 'clean.sql'], /no-such-option/],
      [['lint', '--disable', 'no-such-rule', 'clean.sql'], /unknown rules: no-such-rule/],
      [['lint'], /no input/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [[], /Usage: querylens/],
    ];
    for (const [args, message] of cases) {
      const result = run(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stdout, args.join(' ')).toBe('');
    }
  });

  it('writes SARIF 2.1.0 with the rule catalogue and located results', () => {
    const result = run(['lint', 'migration.sql', '--format', 'sarif']);
    expect(result.code).toBe(1);
    const sarif = JSON.parse(result.stdout) as {
      $schema: string;
      version: string;
      runs: Array<{
        tool: { driver: { name: string; rules: Array<{ id: string; defaultConfiguration: { level: string }; properties: { kind: string } }> } };
        results: Array<{
          ruleId: string;
          ruleIndex: number;
          level: string;
          message: { text: string };
          locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }>;
        }>;
      }>;
    };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toMatch(/sarif-2\.1\.0/);
    const [sarifRun] = sarif.runs;
    expect(sarifRun.tool.driver.name).toBe('querylens');
    expect(sarifRun.tool.driver.rules.map((rule) => rule.id)).toEqual(RULE_CATALOGUE.map((rule) => rule.id));
    // Every kind of finding querylens raises has its metadata there, runtime detectors and plan rules included.
    const kinds = new Map(sarifRun.tool.driver.rules.map((rule) => [rule.id, rule.properties.kind]));
    expect([kinds.get('select-star'), kinds.get('plan-seq-scan-filter'), kinds.get('n-plus-one'), kinds.get('parse-error')]).toEqual(['statement', 'plan', 'runtime', 'lint']);
    expect(sarifRun.tool.driver.rules.find((rule) => rule.id === 'cache-candidate')?.defaultConfiguration.level).toBe('note');
    const plain = json(['lint', 'migration.sql']);
    expect(sarifRun.results).toHaveLength(plain.length);
    sarifRun.results.forEach((sarifResult, index) => {
      expect(sarifResult.ruleId).toBe(plain[index].rule);
      expect(sarifRun.tool.driver.rules[sarifResult.ruleIndex].id).toBe(sarifResult.ruleId);
      expect(sarifResult.level).toBe({ error: 'error', warning: 'warning', info: 'note' }[plain[index].severity]);
      expect(sarifResult.message.text).toContain(plain[index].message);
      const location = sarifResult.locations[0].physicalLocation;
      expect(location.artifactLocation.uri).toBe('migration.sql');
      expect(location.region).toEqual({ startLine: plain[index].line, startColumn: plain[index].column });
    });
  });
});

describe('querylens lint fixes', () => {
  const FIXED = 'CREATE INDEX CONCURRENTLY users_email ON users (email)';

  it('prints the fix under its finding: what it does, then the statements with their semicolons', () => {
    const lines = run(['lint', 'migration.sql']).stdout.split('\n');
    const finding = lines.findIndex((line) => line.startsWith('migration.sql:2:') && line.includes('require-concurrent-index'));
    expect(lines[finding + 2]).toMatch(/^ {2}fix: Builds the index with CONCURRENTLY: .*transaction block/);
    expect(lines[finding + 3]).toBe(`    ${FIXED};`);
    expect(lines.filter((line) => line.startsWith('  fix: '))).toHaveLength(1);
  });

  it('gives the fix in JSON with the region it replaces, which holds the original statement', () => {
    const fix = json(['lint', 'migration.sql']).find((finding) => finding.rule === 'require-concurrent-index')?.fix;
    expect(fix).toMatchObject({ statements: [FIXED], outsideTransaction: true, replacement: FIXED });
    const region = fix?.region;
    expect(MIGRATION.slice(region?.charOffset, (region?.charOffset ?? 0) + (region?.charLength ?? 0))).toBe('CREATE INDEX users_email ON users (email)');
    expect(region).toMatchObject({ startLine: 2, startColumn: 1, endLine: 2, endColumn: 42 });
  });

  it('writes it as a SARIF fix: one replacement of that region in the file', () => {
    const sarif = JSON.parse(run(['lint', 'migration.sql', '--format', 'sarif']).stdout) as {
      runs: Array<{ results: Array<{ ruleId: string; fixes?: unknown }> }>;
    };
    const results = sarif.runs[0].results;
    expect(results.filter((result) => result.fixes !== undefined).map((result) => result.ruleId)).toEqual(['require-concurrent-index']);
    expect(results.find((result) => result.fixes !== undefined)?.fixes).toEqual([{
      description: { text: expect.stringMatching(/^Builds the index with CONCURRENTLY/) as unknown },
      artifactChanges: [{
        artifactLocation: { uri: 'migration.sql', uriBaseId: '%SRCROOT%' },
        replacements: [{ deletedRegion: { startLine: 2, startColumn: 1, endLine: 2, endColumn: 42 }, insertedContent: { text: FIXED } }],
      }],
    }]);
  });
});

describe('querylens lint with suppression comments and a config file', () => {
  const SUPPRESSED = `-- querylens-disable-next-line delete-without-where -- sessions are rebuilt nightly
DELETE FROM sessions;
DELETE FROM tokens;
-- querylens-disable-next-line selet-star
SELECT * FROM users WHERE id = $1;
`;
  let project = '';

  beforeAll(() => {
    project = join(dir, 'project');
    mkdirSync(join(project, 'db', 'migrations'), { recursive: true });
    writeFileSync(join(project, 'db', 'migrations', 'suppressed.sql'), SUPPRESSED);
    writeFileSync(join(project, 'db', 'migrations', 'warnings.sql'), WARNINGS_ONLY);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'project', querylens: { rules: { 'select-star': 'error' } } }));
    writeFileSync(join(project, 'off.json'), JSON.stringify({ rules: { 'select-star': 'off' } }));
    writeFileSync(join(project, 'bad.json'), JSON.stringify({ rules: { 'select-star': 'loud' } }));
  });

  const inProject = (args: readonly string[]) => {
    const result = spawnSync(process.execPath, [cli, ...args], { cwd: join(project, 'db'), encoding: 'utf8', timeout: 20_000 });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  it('honours a suppression comment for the next statement and warns at a comment naming an unknown rule', () => {
    const findings = JSON.parse(inProject(['lint', 'migrations/suppressed.sql', '--format', 'json']).stdout) as JsonFinding[];
    expect(findings.map((finding) => `${finding.line}:${finding.rule}:${finding.severity}`)).toEqual([
      '3:delete-without-where:error',
      '4:unknown-suppression:warning',
      '5:select-star:error',
    ]);
  });

  it('reads the package.json "querylens" key found walking up: severities override the catalogue, and decide the exit code', () => {
    const result = inProject(['lint', 'migrations/warnings.sql']);
    expect(result.stdout).toMatch(/^migrations\/warnings\.sql:1:\d+ error select-star /m);
    expect(result.code).toBe(1);
    const sarif = JSON.parse(inProject(['lint', 'migrations/warnings.sql', '--format', 'sarif']).stdout) as { runs: Array<{ tool: { driver: { rules: Array<{ id: string; defaultConfiguration: { level: string } }> } } }> };
    expect(sarif.runs[0].tool.driver.rules.find((rule) => rule.id === 'select-star')?.defaultConfiguration.level).toBe('error');
    expect(run(['lint', 'warnings.sql']).code).toBe(0);
  });

  it('takes --config instead, and switches rules off from it', () => {
    const result = inProject(['lint', '--config', '../off.json', 'migrations/warnings.sql']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('querylens lint: 1 file, 1 statement, no findings\n');
  });

  it('exits 2 with one line naming the file, key, value and accepted values for an invalid config', () => {
    const result = inProject(['lint', '--config', '../bad.json', 'migrations/warnings.sql']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toBe(`querylens: ${join(project, 'bad.json')}: rules.select-star = "loud" is not valid (accepted: off, on, error, warning, info)`);
  });
});

describe('querylens rules', () => {
  it('lists every rule of every kind with its severity, category and kind', () => {
    const result = run(['rules']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(RULE_CATALOGUE.length);
    for (const rule of RULE_CATALOGUE) {
      expect(lines.some((line) => new RegExp(`^${rule.id} +${rule.severity} +${rule.category} +${rule.kind} +\\S`).test(line)), rule.id).toBe(true);
    }
    const listed = JSON.parse(run(['rules', '--json']).stdout) as Array<{ id: string; kind: string }>;
    expect(listed.map((rule) => rule.id)).toEqual(RULE_CATALOGUE.map((rule) => rule.id));
    const detectors = ['n-plus-one', 'slow-query', 'unbounded-result', 'literal-built-sql', 'cache-candidate', 'missing-index'];
    expect(listed.filter((rule) => rule.kind === 'runtime').map((rule) => rule.id)).toEqual(detectors);
    expect(listed.filter((rule) => rule.kind === 'plan')).toHaveLength(7);
    expect(listed.filter((rule) => rule.kind === 'statement')).toHaveLength(ALL_RULES.length);
    // The catalogue says which rules carry a fix.
    const withFix = (listed as Array<{ id: string; fix?: string }>).filter((rule) => rule.fix !== undefined).map((rule) => rule.id);
    expect(withFix).toEqual(['require-concurrent-index', 'require-concurrent-refresh', 'constraint-missing-not-valid', 'set-not-null']);
  });

  it('loads the SQL engine only: no OpenTelemetry, no agent start', () => {
    const probe = spawnSync(
      process.execPath,
      ['-e', `require(${JSON.stringify(cli)}); console.log(JSON.stringify(Object.keys(require.cache).filter((path) => path.includes('@opentelemetry') || /dist[\\\\/]agent[\\\\/](start|register|sdk|server)\\.js$/.test(path))))`],
      { encoding: 'utf8' },
    );
    expect(probe.status).toBe(0);
    expect(JSON.parse(probe.stdout)).toEqual([]);
  });
});
