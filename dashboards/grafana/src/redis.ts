/** Redis client: commands, errors, latency and connection health of every ioredis client. */
import { METRICS } from '../../../agent/metrics/registry';
import { DB_SYSTEM, LABEL } from '../../shared/labels';
import { count, eq, ne } from '../../shared/promql';
import type { DashboardSpec } from './dashboardBase';
import { timeseriesPanel } from './panels';
import { q, RATE } from './queries';

const REDIS = eq(LABEL.dbSystem, DB_SYSTEM.redis);
const ops = count(METRICS.dbOperationDuration);

export const redisDashboard: DashboardSpec = {
  uid: 'querylens-redis',
  file: 'redis',
  title: 'querylens / Redis client',
  description: 'Redis commands sent through ioredis: rate, errors, latency per command, and connection errors.',
  sections: [
    {
      title: 'Commands',
      panels: [
        timeseriesPanel({ title: 'Commands by name', unit: 'ops', stacked: true,
          description: 'Redis commands per second by db.operation.name; a pipeline or MULTI counts once.',
          targets: [{ expr: q.sumRate([LABEL.dbOperation], ops, RATE, REDIS), legend: `{{${LABEL.dbOperation}}}` }] }),
        timeseriesPanel({ title: 'Errors by kind', unit: 'ops', stacked: true,
          description: 'Failed Redis commands per second by error.type.',
          targets: [{ expr: q.sumRate([LABEL.errorType], ops, RATE, REDIS, ne(LABEL.errorType, '')), legend: `{{${LABEL.errorType}}}` }] }),
        timeseriesPanel({ title: 'Error ratio', unit: 'percentunit',
          description: 'Share of Redis commands that failed.',
          targets: [{ expr: q.rateRatio([], ops, RATE, [ne(LABEL.errorType, '')], [REDIS]), legend: 'errors' }] }),
        timeseriesPanel({ title: 'Latency percentiles', unit: 's',
          description: 'p50 and p99 of Redis command time, all clients together.',
          targets: [0.5, 0.99].map((phi) => ({
            expr: q.quantile(phi, [], METRICS.dbOperationDuration, RATE, REDIS), legend: `p${Math.round(phi * 100)}` })) }),
        timeseriesPanel({ title: 'p99 latency by command', unit: 's',
          description: 'p99 command time per db.operation.name: which command is slow.',
          targets: [{ expr: q.quantile(0.99, [LABEL.dbOperation], METRICS.dbOperationDuration, RATE, REDIS), legend: `{{${LABEL.dbOperation}}}` }] }),
        timeseriesPanel({ title: 'Connection errors and reconnects', unit: 'cps',
          description: 'Connection errors and reconnect attempts of ioredis clients per second, per instance.',
          targets: [
            { expr: q.sumRate([LABEL.instance], METRICS.redisConnectionErrors.scraped, RATE), legend: `errors {{${LABEL.instance}}}` },
            { expr: q.sumRate([LABEL.instance], METRICS.redisReconnects.scraped, RATE), legend: `reconnects {{${LABEL.instance}}}` },
          ] }),
      ],
    },
  ],
};
