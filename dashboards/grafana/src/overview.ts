/** Overview: is the agent scraped, how the databases, pools, caches and event loop are doing. */
import { METRICS, QUERYLENS_RUNTIME_METRICS, RUNTIME_METRICS } from '../../../core/metrics/registry';
import { CONNECTION_STATE, LABEL, NON_INSTRUMENT_SERIES } from '../../shared/labels';
import { aggregate, count, eq, ne } from '../../shared/promql';
import type { DashboardSpec } from './dashboardBase';
import { statPanel, tablePanel, timeseriesPanel } from './panels';
import { q, RATE } from './queries';
import { EXEMPLAR_NOTE } from './dbClientPanels';

const ops = count(METRICS.dbOperationDuration);

export const overviewDashboard: DashboardSpec = {
  uid: 'querylens-overview',
  file: 'overview',
  title: 'querylens / Overview',
  description: 'Health of every service running the querylens agent: databases, pools, caches, findings, runtime.',
  sections: [
    {
      title: 'At a glance',
      panels: [
        statPanel({ title: 'Agents up', unit: 'none',
          description: 'Targets of the selected jobs that Prometheus scraped successfully on the last attempt.',
          targets: [{ expr: aggregate('sum', [], q.select(NON_INSTRUMENT_SERIES.up)) }] }),
        statPanel({ title: 'Database operations', unit: 'ops',
          description: 'PostgreSQL and Redis operations per second, all instances together.',
          targets: [{ expr: q.sumRate([], ops, RATE) }] }),
        statPanel({ title: 'Database error ratio', unit: 'percentunit',
          description: 'Share of database operations that failed (any error.type).',
          targets: [{ expr: q.rateRatio([], ops, RATE, [ne(LABEL.errorType, '')]) }] }),
        statPanel({ title: 'Error-severity findings', unit: 'none',
          description: 'Statement fingerprints currently flagged by an error-severity SQL rule.',
          targets: [{ expr: aggregate('sum', [], q.select(METRICS.findings.scraped, eq(LABEL.severity, 'error'))) }] }),
      ],
    },
    {
      title: 'Databases',
      panels: [
        timeseriesPanel({ title: 'Operations by database', unit: 'ops',
          description: 'Operations per second, by db.system.name (postgresql, redis).',
          targets: [{ expr: q.sumRate([LABEL.dbSystem], ops, RATE), legend: `{{${LABEL.dbSystem}}}` }] }),
        timeseriesPanel({ title: 'p99 latency by database', unit: 's',
          description: `99th percentile of db.client.operation.duration, interpolated within histogram buckets. ${EXEMPLAR_NOTE}`,
          targets: [{ expr: q.quantile(0.99, [LABEL.dbSystem], METRICS.dbOperationDuration, RATE), legend: `{{${LABEL.dbSystem}}}`, exemplar: true }] }),
        timeseriesPanel({ title: 'Pool connections in use', unit: 'percentunit',
          description: 'Connections checked out over the pool maximum, per pg pool. 100% means requests queue.',
          targets: [{
            expr: `${q.sumGauge([LABEL.instance, LABEL.pool], METRICS.dbConnectionCount.scraped, eq(LABEL.connectionState, CONNECTION_STATE.used))} / ${q.sumGauge([LABEL.instance, LABEL.pool], METRICS.dbConnectionMax.scraped)}`,
            legend: `{{${LABEL.pool}}} {{${LABEL.instance}}}`,
          }] }),
        timeseriesPanel({ title: 'Cache hit ratio', unit: 'percentunit',
          description: 'Lookups answered from cache, per cache and layer.',
          targets: [{ expr: q.rateRatio([LABEL.cacheName, LABEL.cacheLayer], METRICS.cacheRequests.scraped, RATE, [eq(LABEL.cacheResult, 'hit')]),
            legend: `{{${LABEL.cacheName}}} ({{${LABEL.cacheLayer}}})` }] }),
      ],
    },
    {
      title: 'Agent and runtime',
      panels: [
        timeseriesPanel({ title: 'Event loop delay p99', unit: 's',
          description: 'p99 event-loop delay per instance: how long callbacks wait behind blocking work.',
          targets: [{ expr: q.maxGauge([LABEL.instance], RUNTIME_METRICS.eventLoopDelayP99.scraped), legend: `{{${LABEL.instance}}}` }] }),
        timeseriesPanel({ title: 'Heap used of limit', unit: 'percentunit',
          description: 'V8 heap in use over the heap size limit, per instance.',
          targets: [{ expr: `${q.sumGauge([LABEL.instance], RUNTIME_METRICS.heapUsed.scraped)} / ${q.maxGauge([LABEL.instance], QUERYLENS_RUNTIME_METRICS.heapSizeLimit.scraped)}`,
            legend: `{{${LABEL.instance}}}` }] }),
        timeseriesPanel({ title: 'Agent errors', unit: 'cps',
          description: 'Failures caught inside the agent per second, by component. They never reach the app.',
          targets: [{ expr: q.sumRate([LABEL.component], METRICS.agentErrors.scraped, RATE), legend: `{{${LABEL.component}}}` }] }),
        tablePanel({ title: 'Agent versions', unit: 'none', width: 12,
          description: 'querylens version running on each instance.',
          targets: [{ expr: q.maxGauge([LABEL.job, LABEL.instance, LABEL.version], METRICS.agentInfo.scraped), legend: 'Running' }] }),
      ],
    },
  ],
};
