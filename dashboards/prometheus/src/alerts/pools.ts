/** pg Pool health: saturation, exhaustion with queueing, waiting requests, checkout timeouts, leaked clients, transactions held open. */
import { METRICS } from '../../../../core/metrics/registry';
import { CONNECTION_STATE, LABEL } from '../../../shared/labels';
import { eq } from '../../../shared/promql';
import type { AlertSpec } from '../alertSpec';
import { above } from '../alertSpec';
import { EVAL_TIME } from '../fixtures';
import type { RuleContext } from '../ruleContext';
import { TARGET } from '../ruleContext';
import { RATE_WINDOW, THRESHOLDS } from '../thresholds';

const POOL = [...TARGET, LABEL.pool];
const FIXTURE_POOL = 'orders-db';
const MAX_CONNECTIONS = 10;

export function poolAlerts(ctx: RuleContext): AlertSpec[] {
  const { q, fx } = ctx;
  const used = q.sumGauge(POOL, METRICS.dbConnectionCount.scraped, eq(LABEL.connectionState, CONNECTION_STATE.used));
  const max = q.sumGauge(POOL, METRICS.dbConnectionMax.scraped);
  const pending = q.sumGauge(POOL, METRICS.dbConnectionPendingRequests.scraped);
  // A count, not a per-minute rate: one timeout reads "1", not "200m". Pools start at 0.
  const timeouts = q.sumIncrease(POOL, METRICS.dbConnectionTimeouts.scraped, RATE_WINDOW);
  const leaks = q.sumIncrease(POOL, METRICS.poolClientLeaks.scraped, RATE_WINDOW);
  const longTransactions = q.sumIncrease(POOL, METRICS.longTransactions.scraped, RATE_WINDOW);
  const poolLabel = { [LABEL.pool]: FIXTURE_POOL };
  const poolState = (usedConnections: number, waiting: number) => [
    fx.gauge(METRICS.dbConnectionCount.scraped, { ...poolLabel, [LABEL.connectionState]: CONNECTION_STATE.used }, usedConnections),
    fx.gauge(METRICS.dbConnectionCount.scraped,
      { ...poolLabel, [LABEL.connectionState]: CONNECTION_STATE.idle }, MAX_CONNECTIONS - usedConnections),
    fx.gauge(METRICS.dbConnectionMax.scraped, poolLabel, MAX_CONNECTIONS),
    fx.gauge(METRICS.dbConnectionPendingRequests.scraped, poolLabel, waiting),
  ];
  const usedRatio = `${used} / ${max}`;
  const pendingRatio = `${pending} / ${max}`;
  const exhausted = `${pending} > 0 and on (${POOL.join(', ')}) ${used} >= ${max}`;
  return [
    {
      name: 'QuerylensPgPoolNearlySaturated',
      signal: usedRatio,
      levels: [{ severity: 'warning', expr: above(usedRatio, THRESHOLDS.poolUsedRatio), for: '10m' }],
      summary: 'A pg pool has nearly all its connections checked out.',
      description: (t) => `Pool ${t.label(LABEL.pool)} on ${t.label(LABEL.instance)} uses ${t.value} of its maximum connections.`,
      valueFormat: 'humanizePercentage',
      cases: [
        { name: 'nine of ten connections in use', series: poolState(9, 0), evalTime: EVAL_TIME,
          firing: [{ severity: 'warning', labels: fx.target(poolLabel), value: '90%' }] },
        { name: 'half the connections in use', series: poolState(5, 0), evalTime: EVAL_TIME, firing: [] },
      ],
    },
    {
      name: 'QuerylensPgPoolExhausted',
      signal: pending,
      levels: [{ severity: 'critical', expr: exhausted, for: '1m' }],
      summary: 'A pg pool is exhausted and requests queue for a connection.',
      description: (t) => `Every connection of pool ${t.label(LABEL.pool)} on ${t.label(LABEL.instance)} is checked out and ${t.value} requests are waiting for one.`,
      valueFormat: 'humanize',
      cases: [
        { name: 'all connections used, requests waiting', series: poolState(MAX_CONNECTIONS, 4), evalTime: EVAL_TIME,
          firing: [{ severity: 'critical', labels: fx.target(poolLabel), value: '4' }] },
        { name: 'all connections used, nobody waiting', series: poolState(MAX_CONNECTIONS, 0), evalTime: EVAL_TIME, firing: [] },
        { name: 'requests waiting while connections open', series: poolState(8, 4), evalTime: EVAL_TIME, firing: [] },
      ],
    },
    {
      name: 'QuerylensPgPoolPendingRequestsHigh',
      signal: pendingRatio,
      levels: [{ severity: 'warning', expr: above(pendingRatio, THRESHOLDS.pendingPerMaxConnection), for: '5m' }],
      summary: 'More requests wait for a pg pool connection than the pool can hold.',
      description: (t) => `Pool ${t.label(LABEL.pool)} on ${t.label(LABEL.instance)} has ${t.value} as many waiting requests as connections.`,
      valueFormat: 'humanizePercentage',
      cases: [
        { name: 'fifteen waiting for ten connections', series: poolState(MAX_CONNECTIONS, 15), evalTime: EVAL_TIME,
          firing: [{ severity: 'warning', labels: fx.target(poolLabel), value: '150%' }] },
        { name: 'five waiting', series: poolState(MAX_CONNECTIONS, 5), evalTime: EVAL_TIME, firing: [] },
      ],
    },
    {
      name: 'QuerylensPgPoolCheckoutTimeouts',
      signal: timeouts,
      levels: [{ severity: 'warning', expr: above(timeouts, 0), for: '2m' }],
      summary: 'Requests give up waiting for a pg pool connection.',
      description: (t) => `${t.value} checkouts from pool ${t.label(LABEL.pool)} on ${t.label(LABEL.instance)} hit connectionTimeoutMillis and failed in the last ${RATE_WINDOW}.`,
      valueFormat: 'humanize',
      cases: [
        { name: 'checkouts time out', series: [fx.counter(METRICS.dbConnectionTimeouts.scraped, poolLabel, 3)],
          evalTime: EVAL_TIME, firing: [{ severity: 'warning', labels: fx.target(poolLabel), value: '15' }] },
        ...fx.singleEventCases(METRICS.dbConnectionTimeouts.scraped, poolLabel, 'checkout timeout', 'warning'),
        { name: 'no timeouts', series: [fx.counter(METRICS.dbConnectionTimeouts.scraped, poolLabel, 0)],
          evalTime: EVAL_TIME, firing: [] },
      ],
    },
    {
      name: 'QuerylensPgPoolClientLeaks',
      signal: leaks,
      levels: [{ severity: 'warning', expr: above(leaks, 0), for: '1m' }],
      summary: 'The app keeps pg pool clients checked out past QUERYLENS_POOL_LEAK_MS.',
      description: (t) => `${t.value} clients of pool ${t.label(LABEL.pool)} on ${t.label(LABEL.instance)} were held past the leak threshold in the last ${RATE_WINDOW}; the report's connectionFindings name the line that checked them out.`,
      valueFormat: 'humanize',
      cases: [
        { name: 'clients leak', series: [fx.counter(METRICS.poolClientLeaks.scraped, poolLabel, 1)],
          evalTime: EVAL_TIME, firing: [{ severity: 'warning', labels: fx.target(poolLabel), value: '5' }] },
        ...fx.singleEventCases(METRICS.poolClientLeaks.scraped, poolLabel, 'leaked client', 'warning'),
        { name: 'no leak', series: [fx.counter(METRICS.poolClientLeaks.scraped, poolLabel, 0)], evalTime: EVAL_TIME, firing: [] },
      ],
    },
    {
      name: 'QuerylensPgLongTransactions',
      signal: longTransactions,
      levels: [{ severity: 'warning', expr: above(longTransactions, THRESHOLDS.longTransactionsPerWindow), for: '5m' }],
      summary: 'Transactions on a pg pool stay open past QUERYLENS_LONG_TRANSACTION_MS.',
      description: (t) => `${t.value} transactions on pool ${t.label(LABEL.pool)} on ${t.label(LABEL.instance)} stayed open past the long-transaction threshold in the last ${RATE_WINDOW}; the report's connectionFindings name where they began.`,
      valueFormat: 'humanize',
      cases: [
        { name: 'a long transaction a minute', series: [fx.counter(METRICS.longTransactions.scraped, poolLabel, 1)],
          evalTime: EVAL_TIME, firing: [{ severity: 'warning', labels: fx.target(poolLabel), value: '5' }] },
        { name: 'one long transaction', series: [fx.series(METRICS.longTransactions.scraped, poolLabel, '0x20 1x20')], evalTime: EVAL_TIME, firing: [] },
        { name: 'no long transaction', series: [fx.counter(METRICS.longTransactions.scraped, poolLabel, 0)], evalTime: EVAL_TIME, firing: [] },
      ],
    },
  ];
}
