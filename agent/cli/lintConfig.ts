/**
 * The config file of `querylens lint`, found like other linters' (squawk's
 * `.squawk.toml`, ESLint's, Prettier's): `--config <file>`, else the first
 * `.querylensrc.json` or `package.json` with a `querylens` key found walking
 * up from the working directory (in one folder the rc file comes first).
 *
 *   { "rules": { "select-star": "off", "limit-without-order": "warning" }, "postgresVersion": 12 }
 *
 * Anything wrong is one UsageError line naming the file, the key, the value
 * and what is accepted (exit 2, like a bad option).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Severity } from '../../core/statementAnalysis';
import { CATALOGUE_IDS } from '../../sql/catalogue/ruleCatalogue';
import { UsageError } from './command';

export const RC_FILE = '.querylensrc.json';
const SETTINGS = ['off', 'on', 'error', 'warning', 'info'] as const;
type RuleSetting = (typeof SETTINGS)[number];
const KEYS = ['rules', 'postgresVersion'] as const;
/** PostgreSQL major versions a migration may target (9 stands for every 9.x). */
const MIN_VERSION = 9;
const MAX_VERSION = 99;

export interface LintConfig {
  /** Where it was read from, as shown in messages; undefined when no file was found. */
  readonly file: string | undefined;
  readonly disabledRules: ReadonlySet<string>;
  /** Severities the file sets per rule, overriding the catalogue's. */
  readonly severities: ReadonlyMap<string, Severity>;
  /** The PostgreSQL major version the files target; rules whose advice depends on it read it. */
  readonly postgresVersion: number | undefined;
}

export const NO_CONFIG: LintConfig = { file: undefined, disabledRules: new Set(), severities: new Map(), postgresVersion: undefined };

function invalid(file: string, key: string, value: unknown, accepted: string): UsageError {
  return new UsageError(`${file}: ${key} = ${JSON.stringify(value)} is not valid (accepted: ${accepted})`);
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readRules(file: string, rules: unknown): Pick<LintConfig, 'disabledRules' | 'severities'> {
  if (!isObject(rules)) throw invalid(file, 'rules', rules, 'an object of rule id to "off", "on", "error", "warning" or "info"');
  const disabledRules = new Set<string>();
  const severities = new Map<string, Severity>();
  for (const [id, setting] of Object.entries(rules)) {
    if (!CATALOGUE_IDS.has(id)) throw invalid(file, 'rules', id, 'the rule ids querylens rules lists');
    const found = SETTINGS.find((candidate) => candidate === setting);
    if (found === undefined) throw invalid(file, `rules.${id}`, setting, SETTINGS.join(', '));
    applySetting(id, found, disabledRules, severities);
  }
  return { disabledRules, severities };
}

function applySetting(id: string, setting: RuleSetting, disabled: Set<string>, severities: Map<string, Severity>): void {
  if (setting === 'off') disabled.add(id);
  else if (setting !== 'on') severities.set(id, setting);
}

function readVersion(file: string, version: unknown): number | undefined {
  if (version === undefined) return undefined;
  if (typeof version === 'number' && Number.isInteger(version) && version >= MIN_VERSION && version <= MAX_VERSION) return version;
  throw invalid(file, 'postgresVersion', version, `a PostgreSQL major version, an integer from ${MIN_VERSION} to ${MAX_VERSION}`);
}

/** Checks a parsed config object; `file` names it in errors. */
export function parseLintConfig(file: string, config: unknown): LintConfig {
  if (!isObject(config)) throw invalid(file, '(the whole file)', config, `an object with the keys ${KEYS.join(', ')}`);
  const unknown = Object.keys(config).find((key) => !KEYS.some((known) => known === key));
  if (unknown !== undefined) throw invalid(file, unknown, config[unknown], `only the keys ${KEYS.join(', ')}`);
  const rules = config['rules'] === undefined ? NO_CONFIG : readRules(file, config['rules']);
  return { file, disabledRules: rules.disabledRules, severities: rules.severities, postgresVersion: readVersion(file, config['postgresVersion']) };
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the config file ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Whether a package.json met on the way up holds a `querylens` key. One that
 * cannot be read as JSON holds none that could be read, and may be nobody's
 * business of ours (a stray file in a parent folder): it is passed by.
 */
function declaresConfig(pkg: string): boolean {
  try {
    const manifest: unknown = JSON.parse(readFileSync(pkg, 'utf8'));
    return isObject(manifest) && manifest['querylens'] !== undefined;
  } catch {
    return false;
  }
}

/** The config found walking up from `cwd`: the file and what to read in it, or undefined. */
export function discoverConfig(cwd: string): { readonly file: string; readonly key: 'querylens' | undefined } | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const rc = join(dir, RC_FILE);
    if (existsSync(rc)) return { file: rc, key: undefined };
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && declaresConfig(pkg)) return { file: pkg, key: 'querylens' };
    if (dirname(dir) === dir) return undefined;
  }
}

/** A package.json given with --config is read at its `querylens` key, like a discovered one. */
function explicitConfig(cwd: string, explicit: string): { readonly file: string; readonly key: 'querylens' | undefined } {
  const file = resolve(cwd, explicit);
  return { file, key: basename(file) === 'package.json' ? 'querylens' : undefined };
}

/** `--config` when given (relative to `cwd`), else the discovered file, else no configuration. */
export function loadLintConfig(cwd: string, explicit: string | undefined): LintConfig {
  const found = explicit === undefined ? discoverConfig(cwd) : explicitConfig(cwd, explicit);
  if (found === undefined) return NO_CONFIG;
  const json = readJson(found.file);
  if (found.key === undefined) return parseLintConfig(found.file, json);
  return parseLintConfig(`${found.file} (key "querylens")`, isObject(json) ? json[found.key] : undefined);
}
