/** Template variables shared by every dashboard: data source, then job and instance. */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { LABEL, NON_INSTRUMENT_SERIES } from '../../shared/labels';
import { VARIABLE } from './variableNames';

export const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: `\${${VARIABLE.datasource}}` };

/**
 * Jobs and instances are listed from `target_info`, which the OpenTelemetry exporter writes
 * for every agent whatever instrumentations are active.
 */
export function templateVariables(): cog.Builder<dashboard.VariableModel>[] {
  return [
    new dashboard.DatasourceVariableBuilder(VARIABLE.datasource).label('Data source').type('prometheus'),
    labelVariable(VARIABLE.job, 'Job', `label_values(${NON_INSTRUMENT_SERIES.targetInfo}, ${LABEL.job})`),
    labelVariable(VARIABLE.instance, 'Instance',
      `label_values(${NON_INSTRUMENT_SERIES.targetInfo}{${LABEL.job}=~"$job"}, ${LABEL.instance})`),
  ];
}

function labelVariable(name: string, label: string, query: string): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.+');
}
