/** Every querylens dashboard, in the order the cross-links list them. */
import type { DashboardSpec } from './dashboardBase';
import { cachesDashboard } from './caches';
import { overviewDashboard } from './overview';
import { postgresDashboard } from './postgres';
import { queriesDashboard } from './queriesAndFindings';
import { redisDashboard } from './redis';
import { runtimeDashboard } from './runtime';

export const DASHBOARDS: readonly DashboardSpec[] = [
  overviewDashboard, postgresDashboard, redisDashboard, cachesDashboard, queriesDashboard, runtimeDashboard,
];
