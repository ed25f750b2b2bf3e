/**
 * What every querylens dashboard shares: read-only, fixed uid, the `querylens` tag the
 * cross-links follow, the template variables, and collapsible-free rows of panels.
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { Section } from './panels';
import { buildPanel } from './panels';
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
    builder.withRow(new dashboard.RowBuilder(section.title).id(id++));
    for (const panel of section.panels) builder.withPanel(buildPanel(panel, id++));
  }
  return builder.build();
}
