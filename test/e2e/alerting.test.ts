/**
 * End to end on loopback: a fixture app with the agent preloaded, a real Prometheus
 * (1 s scrape and evaluation) loading the generated rules, a real Alertmanager with the
 * shipped configuration, and a webhook sink. A pg Pool exhausted for real must reach the
 * webhook as firing, then as resolved once released. Then every dashboard query and every
 * rule expression is evaluated by that Prometheus: each must parse, and each whose metric
 * the workload exercises must return data.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { generateArtifacts } from '../../dashboards/artifacts';
import { DEFAULT_OPTIONS, RULE_FILE } from '../../dashboards/ruleArtifacts';
import { ruleContext } from '../../dashboards/prometheus/src/ruleContext';
import { ruleGroups } from '../../dashboards/prometheus/src/ruleGroups';
import { LABEL } from '../../dashboards/shared/labels';
import { AGENT_COMPONENTS } from '../../core/agentErrors';
import { METRICS } from '../../core/metrics/registry';
import { find, parseSamples } from '../helpers/promText';
import { chromium } from 'playwright-core';
import { APPS, freePort, REGISTER_CJS, ROOT } from '../helpers/agentProcess';
import { renderDashboardHtml, type DashboardJson, type RangeSeries } from '../helpers/dashboardSnapshot';
import { startDaemon, type Daemon } from '../helpers/daemon';
import { TOOLS, toolPath } from '../helpers/prometheusTools';
import { waitFor } from '../helpers/waitFor';
import { startWebhookSink, type WebhookSink } from '../helpers/webhookSink';

const JOB = DEFAULT_OPTIONS.job;
const EXHAUSTED_POOL = 'ql-e2e-exhaustion';
const POOL_EXHAUSTED = 'QuerylensPgPoolExhausted';
/** The fixture's pool with one checkout timeout on command, and its Redis client of a port nobody listens on. */
const SINGLE_TIMEOUT_POOL = 'ql-e2e-single-timeout';
const CHECKOUT_TIMEOUTS = 'QuerylensPgPoolCheckoutTimeouts';
const REDIS_CONNECTION_ERRORS = 'QuerylensRedisConnectionErrors';
const STARTUP_MS = 30_000;
const DELIVERY_MS = 45_000;
/** What Grafana's variables become in the queries sent to Prometheus. */
const RATE_INTERVAL = '15s';
const RANGE = '5m';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Expressions the fixture cannot make return data, and why. Keyed by
 * `dashboard file / panel title / refId` or `alert name`. Every other expression must return
 * data; an entry that does return data fails the test, so the list cannot go stale.
 */
const NOT_EXERCISED: Readonly<Record<string, string>> = {
  'QuerylensTargetAbsent': 'absent() returns data only when the target is missing; the test keeps it up.',
  'QuerylensPgConnectionsRefused': 'SQLSTATE 53300/57P03 need the shared PostgreSQL server out of connections or restarting.',
};

interface Stack {
  dir: string;
  deadRedisPort: number;
  sink: WebhookSink;
  app: Daemon;
  prometheus: Daemon;
  alertmanager: Daemon;
  prometheusUrl: string;
  alertmanagerUrl: string;
  instance: string;
}

let stack: Stack | undefined;
const daemons: Daemon[] = [];

async function httpOk(url: string): Promise<true | undefined> {
  const res = await fetch(url);
  return res.ok ? true : undefined;
}

/** The shipped Alertmanager config with its webhooks pointed at the sink and 1 s grouping. */
function alertmanagerConfigForTest(sinkPort: number): string {
  const config = parse(readFileSync(join(ROOT, 'dashboards', 'alertmanager', 'alertmanager.yml'), 'utf8')) as {
    route: { group_wait?: string; group_interval?: string; routes?: { group_wait?: string; group_interval?: string }[] };
    receivers: { webhook_configs?: { url: string }[] }[];
  };
  for (const route of [config.route, ...(config.route.routes ?? [])]) {
    route.group_wait = '1s';
    route.group_interval = '1s';
  }
  for (const receiver of config.receivers) {
    for (const webhook of receiver.webhook_configs ?? []) {
      webhook.url = `http://127.0.0.1:${sinkPort}${new URL(webhook.url).pathname}`;
    }
  }
  return stringify(config);
}

beforeAll(async () => {
  if (!existsSync(REGISTER_CJS)) throw new Error(`${REGISTER_CJS} is missing: run npm run build first`);
  const [prometheusBin, alertmanagerBin] = [toolPath(TOOLS.prometheus), toolPath(TOOLS.alertmanager)];
  const dir = mkdtempSync(join(tmpdir(), 'querylens-alerting-'));
  const sink = await startWebhookSink();
  const [appPort, prometheusPort, alertmanagerPort, deadRedisPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const instance = `127.0.0.1:${appPort}`;

  // Short `for:` through the generator option: an exhausted pool must page within seconds here.
  writeFileSync(join(dir, 'rules.yml'), generateArtifacts({ ...DEFAULT_OPTIONS, forOverride: '1s' }).get(RULE_FILE) ?? '');
  writeFileSync(join(dir, 'alertmanager.yml'), alertmanagerConfigForTest(sink.port));
  writeFileSync(join(dir, 'prometheus.yml'), stringify({
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: [join(dir, 'rules.yml')],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${alertmanagerPort}`] }] }] },
    scrape_configs: [{ job_name: JOB, static_configs: [{ targets: [instance] }] }],
  }));

  const alertmanager = startDaemon('alertmanager', alertmanagerBin, [
    `--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'am-data')}`,
    `--web.listen-address=127.0.0.1:${alertmanagerPort}`, '--cluster.listen-address=',
  ]);
  daemons.push(alertmanager);
  const app = startDaemon('fixture app', process.execPath, ['--require', REGISTER_CJS, join(APPS, 'pool-exhaustion.cjs')], {
    cwd: ROOT,
    env: {
      ...process.env, OTEL_SERVICE_NAME: 'querylens-alerting-e2e', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(appPort), QUERYLENS_SLOW_QUERY_MS: '100', FIXTURE_DEAD_REDIS_PORT: String(deadRedisPort),
    },
  });
  daemons.push(app);
  const prometheus = startDaemon('prometheus', prometheusBin, [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'prom-data')}`,
    `--web.listen-address=127.0.0.1:${prometheusPort}`, '--rules.alert.resend-delay=1s',
  ]);
  daemons.push(prometheus);
  const prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
  const alertmanagerUrl = `http://127.0.0.1:${alertmanagerPort}`;
  const startup = (what: string, probe: () => Promise<true | undefined> | true | undefined) =>
    waitFor(what, probe, STARTUP_MS).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${daemons.map((d) => `--- ${d.name}\n${d.output().slice(-3000)}`).join('\n')}`);
    });
  await startup('the fixture app', () => (app.output().includes('"event":"ready"') ? true : undefined));
  await startup('Alertmanager', () => httpOk(`${alertmanagerUrl}/-/ready`));
  await startup('Prometheus', () => httpOk(`${prometheusUrl}/-/ready`));
  stack = { dir, deadRedisPort, sink, app, prometheus, alertmanager, prometheusUrl, alertmanagerUrl, instance };
  await startup('Prometheus scraping the agent', async () => {
    const result = await query(`up{job="${JOB}"} == 1`);
    return result.length > 0 ? true : undefined;
  });
}, 60_000);

afterAll(async () => {
  if (stack) stack.app.send('exit');
  for (const daemon of daemons.reverse()) await daemon.stop();
  if (stack) {
    await stack.sink.close();
    rmSync(stack.dir, { recursive: true, force: true });
  }
}, 30_000);

function running(): Stack {
  if (!stack) throw new Error('the stack did not start');
  return stack;
}

interface QueryAnswer { status: string; error?: string; data?: { result: unknown[] } }

async function rawQuery(expr: string): Promise<QueryAnswer> {
  const res = await fetch(`${running().prometheusUrl}/api/v1/query?${new URLSearchParams({ query: expr })}`);
  return (await res.json()) as QueryAnswer;
}

async function query(expr: string): Promise<unknown[]> {
  const answer = await rawQuery(expr);
  if (answer.status !== 'success') throw new Error(`${expr}: ${answer.error ?? answer.status}`);
  return answer.data?.result ?? [];
}

const firingExhaustion = (status: 'firing' | 'resolved') => running().sink.deliveries.find((d) =>
  d.payload.alerts.some((a) => a.status === status && a.labels.alertname === POOL_EXHAUSTED
    && a.labels[LABEL.pool] === EXHAUSTED_POOL));

const firingAlert = (alertname: string, labels: Readonly<Record<string, string>> = {}) => running().sink.deliveries.find((d) =>
  d.payload.alerts.some((a) => a.status === 'firing' && a.labels.alertname === alertname
    && Object.entries(labels).every(([name, value]) => a.labels[name] === value)));

describe('alerting end to end', () => {
  // First, before the fixture causes any of these events.
  it('exports each pool\'s, Redis server\'s and agent component\'s counters at 0 before their first event', async () => {
    const { instance, deadRedisPort } = running();
    const samples = parseSamples(await (await fetch(`http://${instance}/metrics`)).text());
    const values = (name: string, labels: Readonly<Record<string, string>>) => find(samples, name, labels).map((s) => s.value);
    expect(values(METRICS.dbConnectionTimeouts.scraped, { [LABEL.pool]: SINGLE_TIMEOUT_POOL })).toEqual([0]);
    const deadServer = { [LABEL.serverAddress]: '127.0.0.1', [LABEL.serverPort]: String(deadRedisPort) };
    const deadServerErrors = find(samples, METRICS.redisConnectionErrors.scraped, deadServer);
    expect(deadServerErrors.map((s) => [s.labels[LABEL.errorType], s.value])).toEqual([[undefined, 0]]);
    expect(values(METRICS.redisReconnects.scraped, deadServer)).toEqual([0]);
    const components = find(samples, METRICS.agentErrors.scraped).map((s) => s.labels[LABEL.component]);
    expect(components.sort()).toEqual([...AGENT_COMPONENTS].sort());
    expect(values(METRICS.agentErrors.scraped, { [LABEL.component]: 'explain' })).toEqual([0]);
  });

  it('delivers a single checkout timeout and a single Redis connection error to the webhook as firing', async () => {
    const { app, deadRedisPort } = running();
    app.send('timeout-once');
    app.send('redis-error-once');
    const timeout = await waitFor('the checkout-timeout alert of the single-timeout pool at the webhook',
      () => firingAlert(CHECKOUT_TIMEOUTS, { [LABEL.pool]: SINGLE_TIMEOUT_POOL }), DELIVERY_MS);
    expect(timeout.path).toBe('/querylens/warning');
    const redisError = await waitFor('the Redis connection-error alert at the webhook', () => firingAlert(REDIS_CONNECTION_ERRORS), DELIVERY_MS);
    expect(redisError.payload.alerts.find((a) => a.labels.alertname === REDIS_CONNECTION_ERRORS)?.annotations.description)
      .toContain('had 1 connection errors');
    // One event each, as Prometheus stored it: what fired was a single increment.
    const total = async (expr: string) => ((await query(`sum(${expr})`))[0] as { value: [number, string] } | undefined)?.value[1];
    expect(await total(`${METRICS.dbConnectionTimeouts.scraped}{${LABEL.pool}="${SINGLE_TIMEOUT_POOL}"}`)).toBe('1');
    expect(await total(`${METRICS.redisConnectionErrors.scraped}{${LABEL.serverPort}="${deadRedisPort}"}`)).toBe('1');
  }, 120_000);

  it('delivers an exhausted pg pool to the webhook as firing, inhibits its warnings, then resolves it', async () => {
    const { app, alertmanagerUrl } = running();
    app.send('exhaust');
    const firing = await waitFor('the pool-exhausted alert at the webhook', () => firingExhaustion('firing'), DELIVERY_MS);
    expect(firing.path).toBe('/querylens/critical');
    expect(firing.payload).toMatchObject({ version: '4', receiver: 'querylens-critical', status: 'firing' });
    const alert = firing.payload.alerts.find((a) => a.labels.alertname === POOL_EXHAUSTED);
    expect(alert?.labels).toMatchObject({ severity: 'critical', job: JOB, [LABEL.pool]: EXHAUSTED_POOL });
    expect(alert?.annotations.description).toContain(EXHAUSTED_POOL);
    expect(alert?.annotations.runbook_url).toContain('#querylenspgpoolexhausted');

    // The same exhaustion also trips the pool's warnings; Alertmanager must hold them back.
    const inhibited = await waitFor('the saturation warning inhibited by the exhausted pool', async () => {
      const res = await fetch(`${alertmanagerUrl}/api/v2/alerts?${new URLSearchParams({ filter: 'alertname="QuerylensPgPoolNearlySaturated"' })}`);
      const alerts = (await res.json()) as { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }[];
      return alerts.find((a) => a.labels[LABEL.pool] === EXHAUSTED_POOL && a.status.state === 'suppressed');
    }, DELIVERY_MS);
    expect(inhibited.status.inhibitedBy.length).toBeGreaterThan(0);

    app.send('release');
    const resolved = await waitFor('the pool-exhausted alert resolved at the webhook', () => firingExhaustion('resolved'), DELIVERY_MS);
    expect(resolved.payload.receiver).toBe('querylens-critical');
  }, 120_000);

  it('evaluates every dashboard query and rule expression; each parses, and each the workload exercises returns data', async () => {
    const { instance } = running();
    const expressions = [...dashboardExpressions(instance), ...ruleExpressions()];
    expect(expressions.length).toBeGreaterThan(100);
    const failures: string[] = [];
    const empty: string[] = [];
    for (const { id, expr, needsData } of expressions) {
      const answer = await rawQuery(expr);
      if (answer.status !== 'success') {
        failures.push(`${id}: ${answer.error ?? answer.status}\n  ${expr}`);
        continue;
      }
      if (!needsData) continue;
      const hasData = (answer.data?.result.length ?? 0) > 0;
      if (!hasData && !(id in NOT_EXERCISED)) empty.push(`${id}\n  ${expr}`);
      if (hasData && id in NOT_EXERCISED) failures.push(`${id} returns data now: remove it from NOT_EXERCISED`);
    }
    expect(failures, failures.join('\n')).toEqual([]);
    expect(empty, `no data for:\n${empty.join('\n')}`).toEqual([]);
  }, 120_000);

  it('answers the job and instance variables of every dashboard with this target', async () => {
    const { instance, prometheusUrl } = running();
    for (const file of dashboardFiles()) {
      const variables = (JSON.parse(readFileSync(join(GRAFANA_DIR, file), 'utf8')) as
        { templating: { list: { name: string; type: string; query?: string }[] } }).templating.list.filter((v) => v.type === 'query');
      expect(variables.map((v) => v.name), file).toEqual([LABEL.job, LABEL.instance]);
      for (const variable of variables) {
        // Grafana runs label_values(selector, label) as the label-values API with a match[] selector.
        const [, selector, label] = /^label_values\((.+), (\w+)\)$/.exec(variable.query ?? '') ?? [];
        expect(selector, `${file} ${variable.name}`).toBeDefined();
        const params = new URLSearchParams({ 'match[]': substituteVariables(selector ?? '', instance) });
        const answer = (await (await fetch(`${prometheusUrl}/api/v1/label/${label}/values?${params}`)).json()) as { data: string[] };
        expect(answer.data, `${file} ${variable.name}`).toContain(variable.name === LABEL.job ? JOB : instance);
      }
    }
  });

  // Pictures for docs/dashboards.md, from this run's data: QUERYLENS_DOCS_IMAGES=1.
  it.skipIf(!process.env.QUERYLENS_DOCS_IMAGES)('renders each dashboard with this run\'s data into docs/images', async () => {
    const { instance, prometheusUrl } = running();
    const end = Date.now() / 1000;
    const rangeQuery = async (expr: string): Promise<RangeSeries[]> => {
      const params = new URLSearchParams({ query: substituteVariables(expr, instance), start: String(end - 90), end: String(end), step: '1' });
      const answer = (await (await fetch(`${prometheusUrl}/api/v1/query_range?${params}`)).json()) as
        { status: string; data?: { result: RangeSeries[] } };
      return answer.data?.result ?? [];
    };
    const browser = await chromium.launch({ executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
      mkdirSync(join(ROOT, 'docs', 'images'), { recursive: true });
      for (const file of dashboardFiles()) {
        await page.setContent(await renderDashboardHtml(readDashboard(file), rangeQuery));
        const png = join(ROOT, 'docs', 'images', file.replace(/\.json$/, '.png'));
        await page.screenshot({ path: png, fullPage: true });
        expect(statSync(png).size).toBeGreaterThan(10_000);
      }
    } finally {
      await browser.close();
    }
  }, 120_000);
});

interface Expression {
  readonly id: string;
  readonly expr: string;
  /** False for full alert expressions: their threshold is rightly unmet; their signal is checked instead. */
  readonly needsData: boolean;
}

const GRAFANA_DIR = join(ROOT, 'dashboards', 'grafana');
const dashboardFiles = () => readdirSync(GRAFANA_DIR).filter((f) => f.endsWith('.json'));
const readDashboard = (file: string) => JSON.parse(readFileSync(join(GRAFANA_DIR, file), 'utf8')) as DashboardJson;

/** A dashboard query as Grafana would send it for this job and instance. */
function substituteVariables(expr: string, instance: string): string {
  const substitutions: [string, string][] = [
    ['$__rate_interval', RATE_INTERVAL], ['$__range', RANGE], ['$__interval', '1s'],
    ['$job', JOB], ['$instance', instance.replace(/\./g, '\\\\.')],
  ];
  return substitutions.reduce((e, [from, to]) => e.split(from).join(to), expr);
}

function dashboardExpressions(instance: string): Expression[] {
  return dashboardFiles().flatMap((file) => readDashboard(file).panels.flatMap((panel) => (panel.targets ?? []).map((t) => ({
    id: `${file} / ${panel.title} / ${t.refId}`,
    expr: substituteVariables(t.expr, instance),
    needsData: true,
  }))));
}

/**
 * Each alert's expression must parse; its signal (the expression without the threshold)
 * must return data. Recording rules must return data too.
 */
function ruleExpressions(): Expression[] {
  const groups = ruleGroups(ruleContext(JOB));
  return groups.flatMap((group) => [
    ...group.recording.map((r) => ({ id: r.record, expr: r.expr, needsData: true })),
    ...group.alerts.map((spec) => ({ id: spec.name, expr: spec.signal, needsData: true })),
    ...group.alerts.flatMap((spec) => spec.levels.map((level) => ({
      id: `${spec.name} (${level.severity}, full expression)`, expr: level.expr, needsData: false }))),
  ]);
}
