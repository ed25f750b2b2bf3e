/**
 * withVariableDefaults, the pure function `querylens dashboards` applies to the shipped
 * dashboard JSON: it sets the job and data source defaults and nothing else.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DashboardJson } from '../../dashboards/grafana/src/variableDefaults';
import { dashboardJsonText, parseDashboardJson, withVariableDefaults } from '../../dashboards/grafana/src/variableDefaults';
import { VARIABLE } from '../../dashboards/grafana/src/variableNames';

const GRAFANA_DIR = join(__dirname, '..', '..', 'dashboards', 'grafana');
const shipped: [string, string][] = readdirSync(GRAFANA_DIR).filter((file) => file.endsWith('.json'))
  .map((file) => [file, readFileSync(join(GRAFANA_DIR, file), 'utf8')]);
const DEFAULTS = { job: 'checkout "eu"', datasource: 'Mimir' };

const variable = (dashboard: DashboardJson, name: string) => dashboard.templating.list.find((v) => v.name === name);

/** The dashboard with every variable's `current` removed. */
function withoutCurrent(dashboard: DashboardJson): unknown {
  const list = dashboard.templating.list.map(({ current: _current, ...rest }) => rest);
  return { ...dashboard, templating: { ...dashboard.templating, list } };
}

describe.each(shipped)('withVariableDefaults on %s', (file, text) => {
  const original = parseDashboardJson(text, file);
  const result = withVariableDefaults(original, DEFAULTS);

  it('selects the job (a multi-value variable: arrays) and the data source (a string)', () => {
    expect(variable(result, VARIABLE.job)?.current).toEqual({ selected: true, text: [DEFAULTS.job], value: [DEFAULTS.job] });
    expect(variable(result, VARIABLE.datasource)?.current).toEqual({ selected: true, text: 'Mimir', value: 'Mimir' });
    expect(variable(result, VARIABLE.instance)).not.toHaveProperty('current');
  });

  it('changes nothing else, and leaves its input alone', () => {
    expect(withoutCurrent(result)).toEqual(withoutCurrent(original));
    expect(result.panels).toEqual(original.panels);
    expect(dashboardJsonText(original)).toBe(text);
  });
});

describe('withVariableDefaults on other JSON', () => {
  it('refuses a dashboard without the job variable instead of writing one without a default', () => {
    const dashboard = { uid: 'other', templating: { list: [{ name: VARIABLE.datasource }] } };
    expect(() => withVariableDefaults(dashboard, DEFAULTS)).toThrow('dashboard other has no job variable');
  });

  it('parseDashboardJson rejects JSON that is not a dashboard with named variables', () => {
    expect(() => parseDashboardJson('{"panels": []}', 'x.json')).toThrow('x.json is not a Grafana dashboard');
    expect(() => parseDashboardJson('{"templating": {"list": [{"label": "no name"}]}}', 'y.json')).toThrow('y.json');
  });
});
