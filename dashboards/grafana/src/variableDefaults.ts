/**
 * The default job and data source of a generated dashboard, set on its JSON. A pure function
 * over what `npm run dashboards` wrote, so `querylens dashboards` needs no Grafana SDK (a
 * devDependency) at run time. Only those two variables' `current` changes: panels, queries
 * and every other field stay as generated.
 */
import { VARIABLE } from './variableNames';

export interface VariableJson {
  readonly name: string;
  readonly multi?: boolean;
  readonly [field: string]: unknown;
}

/** The part of Grafana's dashboard JSON read here; the other fields are carried through. */
export interface DashboardJson {
  readonly templating: { readonly list: readonly VariableJson[]; readonly [field: string]: unknown };
  readonly [field: string]: unknown;
}

export interface VariableDefaults {
  /** Prometheus job selected when the dashboard opens. */
  readonly job: string;
  /** Data source name or uid: Grafana matches a data source variable's current value against either. */
  readonly datasource: string;
}

export function withVariableDefaults(dashboard: DashboardJson, defaults: VariableDefaults): DashboardJson {
  const wanted = new Map<string, string>([[VARIABLE.datasource, defaults.datasource], [VARIABLE.job, defaults.job]]);
  const names = new Set(dashboard.templating.list.map((variable) => variable.name));
  const missing = [...wanted.keys()].filter((name) => !names.has(name));
  if (missing.length > 0) throw new Error(`dashboard ${String(dashboard.uid)} has no ${missing.join(' or ')} variable`);
  const list = dashboard.templating.list.map((variable) => {
    const value = wanted.get(variable.name);
    return value === undefined ? variable : { ...variable, current: currentValue(variable, value) };
  });
  return { ...dashboard, templating: { ...dashboard.templating, list } };
}

/** Grafana's `current`: a multi-value variable (job) holds arrays, a single-value one (data source) strings. */
function currentValue(variable: VariableJson, value: string): object {
  const held = variable.multi === true ? [value] : value;
  return { selected: true, text: held, value: held };
}

export function parseDashboardJson(text: string, source: string): DashboardJson {
  const parsed: unknown = JSON.parse(text);
  if (!isDashboardJson(parsed)) throw new Error(`${source} is not a Grafana dashboard with template variables`);
  return parsed;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDashboardJson(value: unknown): value is DashboardJson {
  if (!isRecord(value) || !isRecord(value.templating)) return false;
  const { list } = value.templating;
  return Array.isArray(list) && list.every((variable) => isRecord(variable) && typeof variable.name === 'string');
}

/** The file text of a dashboard, as both the generator and the CLI write it. */
export function dashboardJsonText(dashboard: object): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}
