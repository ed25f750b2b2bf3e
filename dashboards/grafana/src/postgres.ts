/** PostgreSQL client and pools: throughput, errors, latency, rows, the nine pool metrics, leaked clients and transactions. */
import { METRICS } from '../../../core/metrics/registry';
import { CONNECTION_STATE, DB_SYSTEM, LABEL, SQLSTATE } from '../../shared/labels';
import type { MetricDefinition } from '../../../core/metrics/registry';
import { eq, re } from '../../shared/promql';
import { errorRatio, errorsBy, latencyPercentiles, operationsBy, p99LatencyBy } from './dbClientPanels';
import type { DashboardSpec } from './dashboardBase';
import type { PanelSpec } from './panels';
import { timeseriesPanel } from './panels';
import { q, RATE } from './queries';

const PG = eq(LABEL.dbSystem, DB_SYSTEM.postgresql);
const byPool = [LABEL.instance, LABEL.pool];
const poolLegend = `{{${LABEL.pool}}} {{${LABEL.instance}}}`;

function poolTimePanel(def: MetricDefinition, title: string, description: string): PanelSpec {
  return timeseriesPanel({ title, unit: 's', width: 8, description,
    targets: [{ expr: q.quantile(0.99, byPool, def, RATE), legend: `p99 ${poolLegend}` },
      { expr: q.mean(byPool, def, RATE), legend: `mean ${poolLegend}` }] });
}

export const postgresDashboard: DashboardSpec = {
  uid: 'querylens-postgresql',
  file: 'postgresql',
  title: 'querylens / PostgreSQL client and pools',
  description: 'PostgreSQL operations as the app sees them through pg, and every pg Pool: size, use, queueing, timeouts.',
  sections: [
    {
      title: 'Operations',
      panels: [
        operationsBy(LABEL.dbOperation, PG, { title: 'Operations by type',
          description: 'PostgreSQL operations per second by db.operation.name.' }),
        errorsBy(LABEL.errorType, PG, { title: 'Errors by SQLSTATE',
          description: 'Failed PostgreSQL operations per second by error.type (the SQLSTATE code).' }),
        errorRatio(PG, { title: 'Error ratio', description: 'Share of PostgreSQL operations that failed.' }),
        latencyPercentiles([0.5, 0.95, 0.99], PG, { title: 'Latency percentiles',
          description: 'p50, p95 and p99 of PostgreSQL operation time, all instances together.' }),
        p99LatencyBy(LABEL.dbCollection, PG, { title: 'p99 latency by table',
          description: 'p99 operation time per db.collection.name: which table is slow.' }),
        timeseriesPanel({ title: 'Rows returned p95', unit: 'short',
          description: 'p95 of rows returned per operation, by operation: large results are slow results.',
          targets: [{ expr: q.quantile(0.95, [LABEL.dbOperation], METRICS.dbReturnedRows, RATE, PG), legend: `{{${LABEL.dbOperation}}}` }] }),
        operationsBy(LABEL.errorType, PG, { title: 'Deadlocks and serialization failures',
          description: 'Transactions aborted with SQLSTATE 40P01 (deadlock) or 40001 (serialization failure), per second.' },
        re(LABEL.errorType, `${SQLSTATE.deadlockDetected}|${SQLSTATE.serializationFailure}`)),
      ],
    },
    {
      title: 'Pools',
      panels: [
        timeseriesPanel({ title: 'Connections by state', unit: 'short', stacked: true,
          description: 'Open connections of each pool, used (checked out) and idle.',
          targets: [{ expr: q.sumGauge([...byPool, LABEL.connectionState], METRICS.dbConnectionCount.scraped),
            legend: `{{${LABEL.connectionState}}} ${poolLegend}` }] }),
        timeseriesPanel({ title: 'Used of maximum', unit: 'percentunit',
          description: 'Checked-out connections over the pool maximum. At 100% new requests wait.',
          targets: [{ expr: `${q.sumGauge(byPool, METRICS.dbConnectionCount.scraped, eq(LABEL.connectionState, CONNECTION_STATE.used))} / ${q.sumGauge(byPool, METRICS.dbConnectionMax.scraped)}`,
            legend: poolLegend }] }),
        timeseriesPanel({ title: 'Requests waiting for a connection', unit: 'short',
          description: 'Callers queued in pool.connect()/pool.query() because every connection is checked out.',
          targets: [{ expr: q.sumGauge(byPool, METRICS.dbConnectionPendingRequests.scraped), legend: poolLegend }] }),
        timeseriesPanel({ title: 'Checkout timeouts', unit: 'ops',
          description: 'Checkouts per second that gave up after connectionTimeoutMillis.',
          targets: [{ expr: q.sumRate(byPool, METRICS.dbConnectionTimeouts.scraped, RATE), legend: poolLegend }] }),
        poolTimePanel(METRICS.dbConnectionWaitTime, 'Wait for a connection',
          'Time callers waited to obtain a connection: p99 and mean per pool.'),
        poolTimePanel(METRICS.dbConnectionCreateTime, 'Connection setup time',
          'Time to open a new connection (TCP, TLS, authentication): p99 and mean per pool.'),
        poolTimePanel(METRICS.dbConnectionUseTime, 'Connection hold time',
          'Time between checkout and release: long holds starve the pool. p99 and mean per pool.'),
        timeseriesPanel({ title: 'Pool limits', unit: 'short', width: 24,
          description: 'Configured maximum connections, maximum idle and minimum idle connections per pool.',
          targets: [
            { expr: q.maxGauge(byPool, METRICS.dbConnectionMax.scraped), legend: `max ${poolLegend}` },
            { expr: q.maxGauge(byPool, METRICS.dbConnectionIdleMax.scraped), legend: `idle max ${poolLegend}` },
            { expr: q.maxGauge(byPool, METRICS.dbConnectionIdleMin.scraped), legend: `idle min ${poolLegend}` },
          ] }),
      ],
    },
    {
      title: 'Leaks and transactions',
      panels: [
        timeseriesPanel({ title: 'Leaked clients', unit: 'ops', width: 8,
          description: 'Clients per second held past QUERYLENS_POOL_LEAK_MS without a release; the report names the line that checked them out.',
          targets: [{ expr: q.sumRate(byPool, METRICS.poolClientLeaks.scraped, RATE), legend: poolLegend }] }),
        poolTimePanel(METRICS.transactionDuration, 'Transaction duration',
          'Time from the statement that opened a transaction to its COMMIT or ROLLBACK: p99 and mean per pool.'),
        timeseriesPanel({ title: 'Long and idle transactions', unit: 'ops', width: 8,
          description: 'Transactions per second open past QUERYLENS_LONG_TRANSACTION_MS, and clients idle inside one past QUERYLENS_IDLE_IN_TRANSACTION_MS.',
          targets: [
            { expr: q.sumRate(byPool, METRICS.longTransactions.scraped, RATE), legend: `long ${poolLegend}` },
            { expr: q.sumRate(byPool, METRICS.idleInTransaction.scraped, RATE), legend: `idle ${poolLegend}` },
          ] }),
      ],
    },
  ],
};
