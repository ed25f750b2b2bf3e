/** The config file of querylens lint: where it is found, what it accepts, and the one line it prints when wrong. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../agent/cli/command';
import { discoverConfig, loadLintConfig, parseLintConfig } from '../../agent/cli/lintConfig';
import { lintSql } from '../../sql/lint/lintSql';
import { loadSqlParser } from '../../sql/parse/parser';

let root = '';

beforeAll(async () => {
  await loadSqlParser();
  root = mkdtempSync(join(tmpdir(), 'ql-lint-config-'));
  // root/.querylensrc.json; root/app/package.json with a querylens key; root/app/db (nothing); root/lib/package.json without one.
  writeFileSync(join(root, '.querylensrc.json'), JSON.stringify({ rules: { 'select-star': 'off' } }));
  mkdirSync(join(root, 'app', 'db'), { recursive: true });
  writeFileSync(join(root, 'app', 'package.json'), JSON.stringify({ name: 'app', querylens: { rules: { 'limit-without-order': 'error' }, postgresVersion: 10 } }));
  mkdirSync(join(root, 'lib'));
  writeFileSync(join(root, 'lib', 'package.json'), JSON.stringify({ name: 'lib' }));
  mkdirSync(join(root, 'stray', 'db'), { recursive: true });
  writeFileSync(join(root, 'stray', 'package.json'), '{ "name": ');
});

afterAll(() => {
  if (root !== '') rmSync(root, { recursive: true, force: true });
});

function usageMessage(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('finding the config file', () => {
  it('takes the nearest package.json with a querylens key, walking up', () => {
    expect(discoverConfig(join(root, 'app', 'db'))).toEqual({ file: join(root, 'app', 'package.json'), key: 'querylens' });
    const config = loadLintConfig(join(root, 'app', 'db'), undefined);
    expect(config.severities.get('limit-without-order')).toBe('error');
    expect(config.postgresVersion).toBe(10);
  });

  it('walks past a package.json without the key to the .querylensrc.json above', () => {
    expect(discoverConfig(join(root, 'lib'))).toEqual({ file: join(root, '.querylensrc.json'), key: undefined });
    expect([...loadLintConfig(join(root, 'lib'), undefined).disabledRules]).toEqual(['select-star']);
  });

  it('walks past a package.json that is not JSON (a stray file: it can declare nothing)', () => {
    expect(discoverConfig(join(root, 'stray', 'db'))).toEqual({ file: join(root, '.querylensrc.json'), key: undefined });
  });

  it('prefers --config, relative to the working directory', () => {
    const config = loadLintConfig(join(root, 'lib'), '../app/package.json');
    expect(config.file).toBe(`${join(root, 'app', 'package.json')} (key "querylens")`);
    expect(config.postgresVersion).toBe(10);
    expect([...loadLintConfig(join(root, 'app'), '../.querylensrc.json').disabledRules]).toEqual(['select-star']);
    expect(usageMessage(() => loadLintConfig(root, 'missing.json'))).toMatch(/^cannot read the config file .*missing\.json/);
  });
});

describe('checking the config file', () => {
  it('reads rules on, off and with a severity', () => {
    const config = parseLintConfig('q.json', { rules: { 'select-star': 'off', 'large-offset': 'info', 'n-plus-one': 'on' } });
    expect([...config.disabledRules]).toEqual(['select-star']);
    expect([...config.severities]).toEqual([['large-offset', 'info']]);
  });

  it.each([
    [{ rules: { 'select-star': 'maybe' } }, 'q.json: rules.select-star = "maybe" is not valid (accepted: off, on, error, warning, info)'],
    [{ rules: { 'selet-star': 'off' } }, 'q.json: rules = "selet-star" is not valid (accepted: the rule ids querylens rules lists)'],
    [{ rules: ['select-star'] }, 'q.json: rules = ["select-star"] is not valid (accepted: an object of rule id to "off", "on", "error", "warning" or "info")'],
    [{ postgresVersion: '12' }, 'q.json: postgresVersion = "12" is not valid (accepted: a PostgreSQL major version, an integer from 9 to 99)'],
    [{ postgresVersion: 9.6 }, 'q.json: postgresVersion = 9.6 is not valid (accepted: a PostgreSQL major version, an integer from 9 to 99)'],
    [{ rule: {} }, 'q.json: rule = {} is not valid (accepted: only the keys rules, postgresVersion)'],
    [[], 'q.json: (the whole file) = [] is not valid (accepted: an object with the keys rules, postgresVersion)'],
  ])('refuses %j in one line naming the file, key, value and what is accepted', (config, message) => {
    expect(usageMessage(() => parseLintConfig('q.json', config))).toBe(message);
  });

  it('refuses a file that is not JSON', () => {
    const file = join(root, 'broken.json');
    writeFileSync(file, '{ rules: ');
    expect(usageMessage(() => loadLintConfig(root, 'broken.json'))).toMatch(/broken\.json is not valid JSON: /);
  });
});

describe('postgresVersion', () => {
  const volatile = (sql: string, postgresVersion?: number) => lintSql(sql, { disabledRules: new Set(), postgresVersion }).findings.filter((finding) => finding.rule === 'volatile-default-column').length;

  it('flags a constant default before PostgreSQL 11, where it rewrites the table', () => {
    expect(volatile('ALTER TABLE users ADD COLUMN n int DEFAULT 0', 10)).toBe(1);
    expect(volatile("ALTER TABLE users ADD COLUMN s text DEFAULT 'x'", 9)).toBe(1);
  });

  it('leaves constant defaults from PostgreSQL 11 on, and DEFAULT NULL everywhere', () => {
    expect(volatile('ALTER TABLE users ADD COLUMN n int DEFAULT 0', 11)).toBe(0);
    expect(volatile('ALTER TABLE users ADD COLUMN n int DEFAULT 0')).toBe(0);
    expect(volatile('ALTER TABLE users ADD COLUMN n int DEFAULT NULL', 10)).toBe(0);
    expect(volatile('ALTER TABLE users ADD COLUMN n int', 10)).toBe(0);
  });
});
