/**
 * The committed Grafana dashboards: regenerated in memory and compared (stale files fail),
 * then linted like Grafana's dashboard-linter, with PromQL read through its syntax tree.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateArtifacts } from '../../dashboards/artifacts';
import { DASHBOARDS } from '../../dashboards/grafana/src/catalog';
import { DASHBOARD_TAG } from '../../dashboards/grafana/src/dashboardBase';
import { BREAKER_EVENTS, BREAKER_OPEN, LABEL, LOCK_EVENTS, RESILIENCE_EVENTS } from '../../dashboards/shared/labels';
import { METRICS } from '../../core/metrics/registry';
import { BREAKER_STATES, CACHE_EVENTS } from '../../instrumentations/cacheTelemetry/cacheStatistics';
import {
  GRAFANA_DURATION_SENTINELS, knownSeries, parsePromql, registryDefinitions, seriesOf, withGrafanaSentinels,
} from '../helpers/promqlSyntax';

const GRAFANA_DIR = join(__dirname, '..', '..', 'dashboards', 'grafana');

interface Target { expr: string; refId: string; exemplar?: boolean }
interface Panel {
  id: number; type: string; title: string; description?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: Target[];
}
interface Variable { name: string; type: string; query?: unknown; datasource?: { uid: string } }
interface Dashboard {
  uid: string; title: string; editable: boolean; tags: string[];
  links: { type: string; tags: string[]; includeVars: boolean }[];
  templating: { list: Variable[] };
  panels: Panel[];
}

const committed: [string, Dashboard][] = readdirSync(GRAFANA_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(join(GRAFANA_DIR, f), 'utf8')) as Dashboard]);
const panelsOf = (d: Dashboard) => d.panels.filter((p) => p.type !== 'row');
const RATE_SENTINEL = GRAFANA_DURATION_SENTINELS.$__rate_interval;

describe('generated dashboards', () => {
  it('are committed exactly as `npm run dashboards` writes them', () => {
    const generated = [...generateArtifacts()].filter(([path]) => path.startsWith('grafana/'));
    expect(generated.map(([path]) => path.slice('grafana/'.length)).sort()).toEqual(committed.map(([f]) => f).sort());
    for (const [path, content] of generated) {
      expect(readFileSync(join(GRAFANA_DIR, path.slice('grafana/'.length)), 'utf8'), `${path} is stale: run npm run dashboards`)
        .toBe(content);
    }
  });

  it('cover the six dashboards with fixed, distinct uids', () => {
    expect(committed).toHaveLength(DASHBOARDS.length);
    const uids = committed.map(([, d]) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(uids.sort()).toEqual(DASHBOARDS.map((d) => d.uid).sort());
  });
});

describe.each(committed)('%s', (_file, dashboard) => {
  it('is read-only, tagged, and links to the other querylens dashboards keeping variables', () => {
    expect(dashboard.editable).toBe(false);
    expect(dashboard.tags).toContain(DASHBOARD_TAG);
    expect(dashboard.links).toContainEqual(expect.objectContaining({ type: 'dashboards', tags: [DASHBOARD_TAG], includeVars: true }));
  });

  it('has datasource, job and instance variables, the latter two queried from the chosen data source', () => {
    const vars = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    expect(vars.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const name of [LABEL.job, LABEL.instance]) {
      expect(vars.get(name), name).toMatchObject({ type: 'query', datasource: { uid: '${datasource}' } });
    }
  });

  it('places every panel on the 24-column grid without overlaps', () => {
    const taken = new Set<string>();
    for (const panel of dashboard.panels) {
      const { x, y, w, h } = panel.gridPos;
      expect(x + w, panel.title).toBeLessThanOrEqual(24);
      for (let col = x; col < x + w; col += 1) {
        for (let row = y; row < y + h; row += 1) {
          expect(taken.has(`${col},${row}`), `${panel.title} overlaps at ${col},${row}`).toBe(false);
          taken.add(`${col},${row}`);
        }
      }
    }
  });

  it('gives every panel a unit, a description and the datasource variable', () => {
    for (const panel of panelsOf(dashboard)) {
      expect(panel.fieldConfig?.defaults?.unit, panel.title).toBeTruthy();
      expect(panel.description?.trim(), panel.title).toBeTruthy();
      expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    }
  });

  it('has only PromQL that parses, filters by job and instance, rates over $__rate_interval and reads registry metrics', () => {
    const known = knownSeries();
    for (const panel of panelsOf(dashboard)) {
      for (const target of panel.targets ?? []) {
        const where = `${panel.title} / ${target.refId}: ${target.expr}`;
        const parsed = parsePromql(withGrafanaSentinels(target.expr));
        expect(parsed.errors, where).toEqual([]);
        expect(parsed.selectors.length, where).toBeGreaterThan(0);
        for (const sel of parsed.selectors) {
          expect(known.has(sel.metric), `${where}: ${sel.metric} is not in the metric registry`).toBe(true);
          expect(sel.matchers, where).toContainEqual({ label: LABEL.job, op: '=~', value: '$job' });
          expect(sel.matchers, where).toContainEqual({ label: LABEL.instance, op: '=~', value: '$instance' });
          if (sel.rangeFunction === 'rate' || sel.rangeFunction === 'irate') {
            expect(sel.range, `${where}: ${sel.rangeFunction} needs [$__rate_interval]`).toBe(RATE_SENTINEL);
          }
          if (sel.metric.endsWith('_total')) {
            expect(['rate', 'irate', 'increase'], `${where}: ${sel.metric} outside rate/increase`).toContain(sel.rangeFunction);
          }
        }
      }
    }
  });
});

describe('exemplars', () => {
  const durationBuckets = `${METRICS.dbOperationDuration.scraped}_bucket`;
  const targets = committed.flatMap(([, dashboard]) => panelsOf(dashboard).flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel, target }))));

  it('are asked for by every latency graph of db.client.operation.duration (the histogram that keeps them), and by no other query', () => {
    const latency = targets.filter(({ panel, target }) => panel.type === 'timeseries' && target.expr.includes('histogram_quantile') && target.expr.includes(durationBuckets));
    expect(latency.length).toBeGreaterThanOrEqual(5);
    for (const { panel, target } of latency) expect(target.exemplar, panel.title).toBe(true);
    const others = targets.filter(({ target }) => target.exemplar === true && !latency.some((l) => l.target === target));
    expect(others.map(({ panel }) => panel.title)).toEqual([]);
  });
});

describe('the lint', () => {
  it('rejects what it must reject', () => {
    const bad = parsePromql(withGrafanaSentinels('sum(rate(querylens_query_calls_total{job=~"$job"}[5m])) + querylens_query_time_total'));
    expect(bad.errors).toEqual([]);
    const [rated, bare] = bad.selectors;
    expect(rated?.range).toBe('5m');
    expect(rated?.matchers.some((m) => m.label === LABEL.instance)).toBe(false);
    expect(bare?.rangeFunction).toBeUndefined();
    expect(parsePromql('sum(rate(x[5m]) by').errors.length).toBeGreaterThan(0);
  });
});

describe('registry coverage', () => {
  it('puts every registry metric on some dashboard', () => {
    const selected = new Set(committed.flatMap(([, d]) => panelsOf(d).flatMap((p) => (p.targets ?? [])
      .flatMap((t) => parsePromql(withGrafanaSentinels(t.expr)).selectors.map((s) => s.metric)))));
    const missing = registryDefinitions().filter((def) => !seriesOf(def).some((s) => selected.has(s))).map((d) => d.scraped);
    expect(missing).toEqual([]);
  });
});

describe('label values the dashboards and rules filter on', () => {
  it('are events and breaker states the tiered cache records', () => {
    expect(CACHE_EVENTS).toEqual(expect.arrayContaining([...RESILIENCE_EVENTS, ...BREAKER_EVENTS, ...LOCK_EVENTS]));
    expect(BREAKER_STATES[BREAKER_OPEN]).toBe('open');
  });
});
