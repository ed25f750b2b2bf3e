/**
 * Grafana provisioning files for the dashboards `querylens dashboards` writes: a file
 * provider that loads them from where they were written, and the Prometheus data source
 * their `datasource` variable defaults to.
 */

const FOLDER = 'querylens';
/** Grafana's rule for a data source uid; a name that breaks it is provisioned by name only. */
const GRAFANA_UID = /^[A-Za-z0-9_-]{1,40}$/;
/** A placeholder: the file's header says to set it. */
const PROMETHEUS_URL = 'http://prometheus:9090';

export function dashboardProvider(dashboardsPath: string): object {
  return { apiVersion: 1, providers: [{ name: FOLDER, folder: FOLDER, type: 'file', options: { path: dashboardsPath } }] };
}

/** `nameOrUid` is both the name and (when Grafana allows it) the uid, so the dashboards find it either way. */
export function prometheusDatasource(nameOrUid: string): object {
  const uid = GRAFANA_UID.test(nameOrUid) ? { uid: nameOrUid } : {};
  return { apiVersion: 1, datasources: [{ name: nameOrUid, ...uid, type: 'prometheus', access: 'proxy', url: PROMETHEUS_URL }] };
}
