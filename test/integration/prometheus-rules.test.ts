/**
 * The committed alert and recording rules, their promtool unit tests and the Alertmanager
 * example, checked by the real promtool and amtool.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateArtifacts } from '../../dashboards/artifacts';
import { DEFAULT_OPTIONS, RULE_FILE, RULE_TEST_FILE } from '../../dashboards/ruleArtifacts';
import { LABEL } from '../../dashboards/shared/labels';
import { MAX_RULES_PER_GROUP } from '../../dashboards/prometheus/src/ruleFile';
import { knownSeries, parsePromql, type Selector } from '../helpers/promqlSyntax';
import { runTool, TOOLS } from '../helpers/prometheusTools';

const ROOT = join(__dirname, '..', '..');
const DASHBOARDS = join(ROOT, 'dashboards');
const RULES_PATH = join(DASHBOARDS, RULE_FILE);
const TESTS_PATH = join(DASHBOARDS, RULE_TEST_FILE);
const ALERTMANAGER = join(DASHBOARDS, 'alertmanager', 'alertmanager.yml');
const RUNBOOKS = join(ROOT, 'docs', 'runbooks.md');
const PROMTOOL_TIMEOUT = 180_000;

interface AlertRule { alert: string; expr: string; for: string; labels: Record<string, string>; annotations: Record<string, string> }
interface RecordRule { record: string; expr: string }
interface RuleFile { groups: { name: string; rules: (AlertRule | RecordRule)[] }[] }
interface PromtoolTests { tests: { name: string; alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[] }

const ruleFile = parse(readFileSync(RULES_PATH, 'utf8')) as RuleFile;
const alerts = ruleFile.groups.flatMap((g) => g.rules).filter((r): r is AlertRule => 'alert' in r);
const records = ruleFile.groups.flatMap((g) => g.rules).filter((r): r is RecordRule => 'record' in r);
const alertNames = [...new Set(alerts.map((a) => a.alert))];

const scratch = mkdtempSync(join(tmpdir(), 'querylens-rules-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * How a rule may read a counter: through rate() or increase(). Only the split series of a
 * counter whose label is known late (sumIncreaseWithLateLabel) may also be counted
 * (count_over_time: sample counts, never values) or read as is: such a series is younger
 * than the window, so its value is its increase.
 */
function counterUses(sel: Selector): readonly (string | undefined)[] {
  const lateSplit = sel.matchers.some((m) => m.label === LABEL.errorType && m.op === '!=' && m.value === '');
  const lateUnsplit = sel.matchers.some((m) => m.label === LABEL.errorType && m.op === '=' && m.value === '');
  if (lateSplit) return ['rate', 'increase', 'count_over_time', undefined];
  return lateUnsplit ? ['rate', 'increase', 'count_over_time'] : ['rate', 'increase'];
}

describe('rule files', () => {
  it('are committed exactly as `npm run dashboards` writes them', () => {
    const generated = generateArtifacts();
    for (const path of [RULE_FILE, RULE_TEST_FILE]) {
      expect(readFileSync(join(DASHBOARDS, path), 'utf8'), `${path} is stale: run npm run dashboards`).toBe(generated.get(path));
    }
  });

  it('pass promtool check rules with every lint on', () => {
    const run = runTool(TOOLS.promtool, ['check', 'rules', '--lint=all', '--lint-fatal', RULES_PATH]);
    expect(run.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(run.status, run.output).toBe(0);
  });

  it('pass their promtool unit tests', () => {
    const run = runTool(TOOLS.promtool, ['test', 'rules', TESTS_PATH]);
    expect(run.output, run.output).toContain('SUCCESS');
    expect(run.status, run.output).toBe(0);
  }, PROMTOOL_TIMEOUT);

  it('fail those unit tests when the alerts cannot fire in time (the tests can fail)', () => {
    // Same cases against rules whose `for:` outlasts every evaluation time.
    const generated = generateArtifacts({ ...DEFAULT_OPTIONS, forOverride: '12h' });
    for (const path of [RULE_FILE, RULE_TEST_FILE]) {
      mkdirSync(dirname(join(scratch, path)), { recursive: true });
      writeFileSync(join(scratch, path), generated.get(path) ?? '');
    }
    // The six-hour error-budget cases are left out: they take most of promtool's time.
    const doc = parse(generated.get(RULE_TEST_FILE) ?? '') as PromtoolTests;
    const firingCases = doc.tests
      .filter((t) => t.alert_rule_test.some((a) => a.exp_alerts.length > 0) && !t.name.startsWith('QuerylensDbErrorBudgetBurn'));
    writeFileSync(join(scratch, RULE_TEST_FILE), JSON.stringify({ ...doc, tests: firingCases }));
    const run = runTool(TOOLS.promtool, ['test', 'rules', join(scratch, RULE_TEST_FILE)]);
    expect(run.status).not.toBe(0);
    for (const name of alertNames.filter((n) => n !== 'QuerylensDbErrorBudgetBurn')) {
      expect(run.output, `${name} did not fail`).toContain(`alertname: ${name}`);
    }
  }, PROMTOOL_TIMEOUT);

  it('have a firing and a quiet promtool case for every alert', () => {
    const tests = (parse(readFileSync(TESTS_PATH, 'utf8')) as PromtoolTests).tests.flatMap((t) => t.alert_rule_test);
    for (const name of alertNames) {
      const cases = tests.filter((t) => t.alertname === name);
      expect(cases.some((c) => c.exp_alerts.length > 0), `${name} fires`).toBe(true);
      expect(cases.some((c) => c.exp_alerts.length === 0), `${name} stays quiet`).toBe(true);
    }
  });

  it('cover the alerts the issue asks for, at least 15', () => {
    expect(alertNames.length).toBeGreaterThanOrEqual(15);
    const expected = ['QuerylensTargetDown', 'QuerylensTargetAbsent', 'QuerylensPgErrorRateHigh', 'QuerylensPgLatencyHigh',
      'QuerylensPgDeadlocks', 'QuerylensPgSerializationFailures', 'QuerylensPgConnectionsRefused',
      'QuerylensPgPoolNearlySaturated', 'QuerylensPgPoolExhausted', 'QuerylensPgPoolPendingRequestsHigh',
      'QuerylensPgPoolCheckoutTimeouts', 'QuerylensRedisErrorRateHigh', 'QuerylensRedisLatencyHigh',
      'QuerylensCacheHitRatioLow', 'QuerylensCacheEvictionsHigh', 'QuerylensEventLoopLagHigh', 'QuerylensHeapNearLimit',
      'QuerylensSlowQueriesHigh', 'QuerylensNPlusOneLoops', 'QuerylensNewErrorFinding', 'QuerylensDbErrorBudgetBurn'];
    expect(alertNames).toEqual(expect.arrayContaining(expected));
    const burn = alerts.filter((a) => a.alert === 'QuerylensDbErrorBudgetBurn').map((a) => a.expr).join('\n');
    for (const window of ['1h', '5m', '6h', '30m']) expect(burn).toContain(`ratio_rate${window} >`);
  });

  it('follow the monitoring-mixin conventions', () => {
    for (const group of ruleFile.groups) expect(group.rules.length, group.name).toBeLessThanOrEqual(MAX_RULES_PER_GROUP);
    const runbooks = readFileSync(RUNBOOKS, 'utf8');
    const anchors = new Set([...runbooks.matchAll(/^##+ (.+)$/gm)].map((m) => (m[1] ?? '').trim().toLowerCase()));
    for (const rule of alerts) {
      expect(rule.alert).toMatch(/^[A-Z][a-zA-Z0-9]+$/);
      expect(['critical', 'warning', 'info']).toContain(rule.labels.severity);
      expect(rule.annotations.summary).toMatch(/^[^{}]+\.$/);
      expect(rule.annotations.description).toMatch(/\{\{ \$(labels|value)/);
      const anchor = rule.annotations.runbook_url?.split('#')[1] ?? '';
      expect(anchors.has(anchor), `${rule.alert}: no heading #${anchor} in docs/runbooks.md`).toBe(true);
    }
  });

  it('select only registry metrics or recording rules, always for the configured job, with otel_scope aggregated away', () => {
    const known = new Set([...knownSeries(), ...records.map((r) => r.record)]);
    for (const rule of [...alerts, ...records]) {
      const parsed = parsePromql(rule.expr);
      expect(parsed.errors, rule.expr).toEqual([]);
      for (const sel of parsed.selectors) {
        expect(known.has(sel.metric), `${sel.metric} in ${rule.expr}`).toBe(true);
        if (!records.some((r) => r.record === sel.metric)) {
          expect(sel.matchers, rule.expr).toContainEqual({ label: LABEL.job, op: '=', value: DEFAULT_OPTIONS.job });
        }
        if (sel.metric.endsWith('_total')) expect(counterUses(sel), `${sel.metric} in ${rule.expr}`).toContain(sel.rangeFunction);
      }
    }
  });

  it('follow the job given to the generator', () => {
    const custom = generateArtifacts({ ...DEFAULT_OPTIONS, job: 'checkout-api' }).get(RULE_FILE) ?? '';
    expect(custom).toContain('job="checkout-api"');
    expect(custom).not.toContain(`job="${DEFAULT_OPTIONS.job}"`);
  });

  it('quote any job name, quotes and backslashes included, into PromQL promtool accepts', () => {
    const job = 'checkout "eu"\\blue';
    const path = join(scratch, 'odd-job.rules.yml');
    writeFileSync(path, generateArtifacts({ ...DEFAULT_OPTIONS, job }).get(RULE_FILE) ?? '');
    const run = runTool(TOOLS.promtool, ['check', 'rules', path]);
    expect(run.status, run.output).toBe(0);
    const rules = (parse(readFileSync(path, 'utf8')) as RuleFile).groups.flatMap((g) => g.rules);
    const jobs = rules.flatMap((r) => parsePromql(r.expr).selectors).flatMap((s) => s.matchers)
      .filter((m) => m.label === LABEL.job).map((m) => m.value);
    expect(new Set(jobs)).toEqual(new Set([job]));
  });

  it('make a valid Prometheus configuration with the scrape config example', () => {
    const run = runTool(TOOLS.promtool, ['check', 'config', join(DASHBOARDS, 'prometheus', 'prometheus.example.yml')]);
    expect(run.status, run.output).toBe(0);
  });
});

describe('Alertmanager example', () => {
  it('passes amtool check-config', () => {
    const run = runTool(TOOLS.amtool, ['check-config', ALERTMANAGER]);
    expect(run.output).toContain('SUCCESS');
    expect(run.status, run.output).toBe(0);
  });

  const routes: [string, string[]][] = [
    ['querylens-critical', ['severity=critical', 'alertname=QuerylensPgPoolExhausted']],
    ['querylens-warning', ['severity=warning', 'alertname=QuerylensPgPoolNearlySaturated']],
    ['querylens-info', ['severity=info', 'alertname=QuerylensNPlusOneLoops']],
    ['querylens-default', ['alertname=SomethingWithoutSeverity']],
  ];
  it.each(routes)('routes to %s', (receiver, labels) => {
    const ok = runTool(TOOLS.amtool, ['config', 'routes', 'test', `--config.file=${ALERTMANAGER}`, `--verify.receivers=${receiver}`, ...labels]);
    expect(ok.status, ok.output).toBe(0);
    const other = routes.find(([r]) => r !== receiver)?.[0] ?? '';
    const wrong = runTool(TOOLS.amtool, ['config', 'routes', 'test', `--config.file=${ALERTMANAGER}`, `--verify.receivers=${other}`, ...labels]);
    expect(wrong.status, wrong.output).not.toBe(0);
  });

  it('inhibits a warning by its critical twin and names only alerts that exist', () => {
    const config = parse(readFileSync(ALERTMANAGER, 'utf8')) as {
      inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[];
    };
    expect(config.inhibit_rules).toContainEqual(expect.objectContaining({
      source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'],
      equal: expect.arrayContaining(['alertname', LABEL.job, LABEL.instance]) as unknown,
    }));
    const twins = alertNames.filter((n) => new Set(alerts.filter((a) => a.alert === n).map((a) => a.labels.severity)).size > 1);
    expect(twins.length).toBeGreaterThan(0);
    const named = config.inhibit_rules.flatMap((r) => [...r.source_matchers, ...r.target_matchers])
      .flatMap((m) => /^alertname=~?"(.+)"$/.exec(m)?.[1]?.split('|') ?? []);
    for (const name of named) expect(alertNames).toContain(name);
  });
});
