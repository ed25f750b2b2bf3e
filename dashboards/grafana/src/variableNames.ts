/**
 * Names of the template variables every dashboard shares. Kept apart from variables.ts,
 * which needs the Grafana SDK, so `querylens dashboards` can find them in the shipped JSON.
 */
import { LABEL } from '../../shared/labels';

export const VARIABLE = { datasource: 'datasource', job: LABEL.job, instance: LABEL.instance } as const;
