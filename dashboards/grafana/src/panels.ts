/**
 * Panel specifications and their translation to Grafana panels. Every panel must state a
 * unit and say what it shows; the lint test checks the generated JSON for both.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { DATASOURCE } from './variables';

export interface Target {
  readonly expr: string;
  /** Series legend; in a table, the column title of this query's value. */
  readonly legend?: string;
  /** Table column unit when it differs from the panel's. */
  readonly unit?: string;
  /** Ask Prometheus for the exemplars of the histogram behind it (a point per trace on the graph). */
  readonly exemplar?: boolean;
}

interface PanelCommon {
  readonly title: string;
  readonly description: string;
  /** Grafana unit id: `s`, `percentunit`, `ops`, `bytes`, `short`, … */
  readonly unit: string;
  readonly targets: readonly Target[];
  /** Grid width out of 24. */
  readonly width?: number;
}

export interface TimeseriesPanel extends PanelCommon { readonly kind: 'timeseries'; readonly stacked?: boolean }
export interface StatPanel extends PanelCommon { readonly kind: 'stat' }
/** Instant queries merged into one table on their shared labels. */
export interface TablePanel extends PanelCommon { readonly kind: 'table' }

export type PanelSpec = TimeseriesPanel | StatPanel | TablePanel;

export interface Section {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

const HEIGHT = 8;
export const GRID_COLUMNS = 24;
const DEFAULT_WIDTH = GRID_COLUMNS / 2;

export const panelWidth = (spec: PanelSpec): number => spec.width ?? DEFAULT_WIDTH;
const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function timeseriesPanel(spec: Omit<TimeseriesPanel, 'kind'>): TimeseriesPanel {
  return { kind: 'timeseries', ...spec };
}

export function statPanel(spec: Omit<StatPanel, 'kind'>): StatPanel {
  return { kind: 'stat', width: 6, ...spec };
}

export function tablePanel(spec: Omit<TablePanel, 'kind'>): TablePanel {
  return { kind: 'table', width: 24, ...spec };
}

export function buildPanel(spec: PanelSpec, id: number): timeseries.PanelBuilder | stat.PanelBuilder | table.PanelBuilder {
  const instant = spec.kind !== 'timeseries';
  const targets = spec.targets.map((t, i) => {
    const query = new prometheus.DataqueryBuilder()
      .refId(REF_IDS.charAt(i))
      .expr(t.expr)
      .legendFormat(t.legend ?? '__auto');
    if (t.exemplar) query.exemplar(true);
    return instant ? query.instant().format(spec.kind === 'table' ? prometheus.PromQueryFormat.Table
      : prometheus.PromQueryFormat.TimeSeries) : query.range();
  });
  const width = panelWidth(spec);
  switch (spec.kind) {
    case 'timeseries': {
      const panel = new timeseries.PanelBuilder().fillOpacity(10).showPoints(common.VisibilityMode.Never);
      if (spec.stacked) panel.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
      return panel.id(id).title(spec.title).description(spec.description).unit(spec.unit).datasource(DATASOURCE)
        .targets(targets).height(HEIGHT).span(width);
    }
    case 'stat':
      return new stat.PanelBuilder().id(id).title(spec.title).description(spec.description).unit(spec.unit)
        .datasource(DATASOURCE).targets(targets).height(HEIGHT / 2).span(width);
    case 'table':
      return new table.PanelBuilder().id(id).title(spec.title).description(spec.description).unit(spec.unit)
        .datasource(DATASOURCE).targets(targets).height(HEIGHT + 2).span(width)
        .withTransformation({ id: 'merge', options: {} })
        .overrides(spec.targets.map((t, i) => ({
          matcher: { id: 'byFrameRefID', options: REF_IDS.charAt(i) },
          properties: [
            ...(t.legend ? [{ id: 'displayName', value: t.legend }] : []),
            ...(t.unit ? [{ id: 'unit', value: t.unit }] : []),
          ],
        })).filter((o) => o.properties.length > 0));
  }
}
