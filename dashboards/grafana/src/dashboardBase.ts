/**
 * What every querylens dashboard shares: read-only, fixed uid, the `querylens` tag the
 * cross-links follow, the template variables, and collapsible-free rows of panels.
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { Section } from './panels';
import { buildPanel, GRID_COLUMNS, panelWidth } from './panels';
import { templateVariables } from './variables';

export const DASHBOARD_TAG = 'querylens';

export interface DashboardSpec {
  /** Fixed uid: links and provisioning keep working across regenerations. */
  readonly uid: string;
  /** File name under dashboards/grafana/, without `.json`. */
  readonly file: string;
  readonly title: string;
  readonly description: string;
  readonly sections: readonly Section[];
}

export function buildDashboard(spec: DashboardSpec): dashboard.Dashboard {
  const builder = new dashboard.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([DASHBOARD_TAG])
    .readonly()
    .timezone('browser')
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .link(new dashboard.DashboardLinkBuilder('querylens dashboards')
      .type(dashboard.DashboardLinkType.Dashboards)
      .tags([DASHBOARD_TAG])
      .asDropdown(false)
      .includeVars(true)
      .keepTime(true));
  for (const variable of templateVariables()) builder.withVariable(variable);
  let id = 1;
  for (const section of spec.sections) {
    assertRowsFit(spec, section);
    builder.withRow(new dashboard.RowBuilder(section.title).id(id++));
    for (const panel of section.panels) builder.withPanel(buildPanel(panel, id++));
  }
  return builder.build();
}

/**
 * The builder wraps to a new line only after a panel crossed the 24-column edge, so a
 * panel that does not fit would be drawn off the grid: refuse such a layout.
 */
function assertRowsFit(spec: DashboardSpec, section: Section): void {
  let used = 0;
  for (const panel of section.panels) {
    const width = panelWidth(panel);
    if (used + width > GRID_COLUMNS) {
      throw new Error(`${spec.title} / ${section.title}: "${panel.title}" (${width} wide) does not fit after ${used} columns`);
    }
    used = (used + width) % GRID_COLUMNS;
  }
}
