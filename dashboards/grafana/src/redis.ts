/** Redis client: commands, errors, latency and connection health of every ioredis client. */
import { METRICS } from '../../../core/metrics/registry';
import { DB_SYSTEM, LABEL } from '../../shared/labels';
import { eq } from '../../shared/promql';
import { errorRatio, errorsBy, latencyPercentiles, operationsBy, p99LatencyBy } from './dbClientPanels';
import type { DashboardSpec } from './dashboardBase';
import { timeseriesPanel } from './panels';
import { q, RATE } from './queries';

const REDIS = eq(LABEL.dbSystem, DB_SYSTEM.redis);

export const redisDashboard: DashboardSpec = {
  uid: 'querylens-redis',
  file: 'redis',
  title: 'querylens / Redis client',
  description: 'Redis commands sent through ioredis: rate, errors, latency per command, and connection errors.',
  sections: [
    {
      title: 'Commands',
      panels: [
        operationsBy(LABEL.dbOperation, REDIS, { title: 'Commands by name',
          description: 'Redis commands per second by db.operation.name; a pipeline or MULTI counts once.' }),
        errorsBy(LABEL.errorType, REDIS, { title: 'Errors by kind', description: 'Failed Redis commands per second by error.type.' }),
        errorRatio(REDIS, { title: 'Error ratio', description: 'Share of Redis commands that failed.' }),
        latencyPercentiles([0.5, 0.99], REDIS, { title: 'Latency percentiles',
          description: 'p50 and p99 of Redis command time, all clients together.' }),
        p99LatencyBy(LABEL.dbOperation, REDIS, { title: 'p99 latency by command',
          description: 'p99 command time per db.operation.name: which command is slow.' }),
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
