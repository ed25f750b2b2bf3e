/**
 * Queries and findings: the statements that cost the most database time (like
 * pg_stat_statements, per service), what the SQL rules flag, slow queries and N+1 loops.
 */
import { METRICS } from '../../../core/metrics/registry';
import { LABEL } from '../../shared/labels';
import { aggregate } from '../../shared/promql';
import type { DashboardSpec } from './dashboardBase';
import type { Target } from './panels';
import { tablePanel, timeseriesPanel } from './panels';
import { q, RANGE, RATE } from './queries';

const TOP = 10;
const TOP_TABLE = 20;
const byFingerprint = [LABEL.fingerprint];

/** Adds the normalized SQL text (`querylens_query_info`) to each fingerprint's series. */
function withQueryText(expr: string): string {
  return `${expr} * on (${LABEL.fingerprint}) group_left (${LABEL.query}) ${q.maxGauge([LABEL.fingerprint, LABEL.query], METRICS.queryInfo.scraped)}`;
}

const totalOverRange = (metric: string): string => q.sumIncrease(byFingerprint, metric, RANGE);

const topStatementColumns: Target[] = [
  { expr: withQueryText(`topk(${TOP_TABLE}, ${totalOverRange(METRICS.queryTime.scraped)})`), legend: 'Total time', unit: 's' },
  { expr: withQueryText(totalOverRange(METRICS.queryCalls.scraped)), legend: 'Calls', unit: 'short' },
  { expr: withQueryText(`${totalOverRange(METRICS.queryTime.scraped)} / ${totalOverRange(METRICS.queryCalls.scraped)}`),
    legend: 'Mean time', unit: 's' },
  { expr: withQueryText(totalOverRange(METRICS.queryRows.scraped)), legend: 'Rows', unit: 'short' },
  { expr: withQueryText(totalOverRange(METRICS.queryErrors.scraped)), legend: 'Errors', unit: 'short' },
];

const fingerprintLegend = `{{${LABEL.fingerprint}}}`;

export const queriesDashboard: DashboardSpec = {
  uid: 'querylens-queries',
  file: 'queries-and-findings',
  title: 'querylens / Queries and findings',
  description: 'Per-statement statistics by fingerprint and what the SQL rules and runtime detectors flag.',
  sections: [
    {
      title: 'Top statements',
      panels: [
        tablePanel({ title: 'Top statements by total time', unit: 's',
          description: `The ${TOP_TABLE} statement fingerprints with the most execution time over the selected range, with calls, mean time, rows and errors. Statements outside the agent's top-K are counted under fingerprint "other", which has no text.`,
          targets: topStatementColumns }),
        timeseriesPanel({ title: 'Database time by statement', unit: 's',
          description: `Seconds spent executing each statement per second of wall time, top ${TOP}.`,
          targets: [{ expr: `topk(${TOP}, ${q.sumRate(byFingerprint, METRICS.queryTime.scraped, RATE)})`, legend: fingerprintLegend }] }),
        timeseriesPanel({ title: 'Calls by statement', unit: 'ops',
          description: `Executions per second of the ${TOP} most frequent statements.`,
          targets: [{ expr: `topk(${TOP}, ${q.sumRate(byFingerprint, METRICS.queryCalls.scraped, RATE)})`, legend: fingerprintLegend }] }),
        timeseriesPanel({ title: 'Rows by statement', unit: 'short',
          description: `Rows returned or affected per second, top ${TOP} statements.`,
          targets: [{ expr: `topk(${TOP}, ${q.sumRate(byFingerprint, METRICS.queryRows.scraped, RATE)})`, legend: fingerprintLegend }] }),
        timeseriesPanel({ title: 'Errors by statement', unit: 'ops',
          description: `Failed executions per second, top ${TOP} statements.`,
          targets: [{ expr: `topk(${TOP}, ${q.sumRate(byFingerprint, METRICS.queryErrors.scraped, RATE)})`, legend: fingerprintLegend }] }),
      ],
    },
    {
      title: 'Findings',
      panels: [
        tablePanel({ title: 'Findings by rule', unit: 'short', width: 12,
          description: 'Distinct statement fingerprints each SQL rule currently flags, with its severity and category.',
          targets: [{ expr: q.sumGauge([LABEL.rule, LABEL.severity, LABEL.category], METRICS.findings.scraped), legend: 'Statements' }] }),
        timeseriesPanel({ title: 'Findings by severity', unit: 'short', stacked: true,
          description: 'Flagged statement fingerprints over time, by severity.',
          targets: [{ expr: q.sumGauge([LABEL.severity], METRICS.findings.scraped), legend: `{{${LABEL.severity}}}` }] }),
        timeseriesPanel({ title: 'Executions of flagged statements', unit: 'ops',
          description: 'How often flagged statements run, per rule: a finding on a hot statement matters most.',
          targets: [{ expr: q.sumRate([LABEL.rule, LABEL.severity], METRICS.flaggedExecutions.scraped, RATE),
            legend: `{{${LABEL.rule}}} ({{${LABEL.severity}}})` }] }),
        timeseriesPanel({ title: 'Index suggestions', unit: 'short',
          description: 'Indexes the index advisor suggests, by verified (true: HypoPG costed a hypothetical index; false: estimated from pg_stats). The status page and the report give the CREATE INDEX statements.',
          targets: [{ expr: q.sumGauge([LABEL.verified], METRICS.indexSuggestions.scraped), legend: `verified={{${LABEL.verified}}}` }] }),
        timeseriesPanel({ title: 'Statement time an index would help', unit: 'percentunit',
          description: 'The largest share of the service\'s statement time spent in the statements one suggested index helps, by verified.',
          targets: [{ expr: q.maxGauge([LABEL.instance, LABEL.verified], METRICS.indexSuggestionTimeShare.scraped), legend: `{{${LABEL.instance}}} verified={{${LABEL.verified}}}` }] }),
        timeseriesPanel({ title: 'Unparseable statements', unit: 'ops',
          description: 'Distinct statement texts per second the SQL parser could not analyse; they keep statistics under a text hash.',
          targets: [{ expr: q.sumRate([LABEL.instance], METRICS.unparseableStatements.scraped, RATE), legend: `{{${LABEL.instance}}}` }] }),
      ],
    },
    {
      title: 'Slow queries and N+1 loops',
      panels: [
        timeseriesPanel({ title: 'Slow queries', unit: 'ops',
          description: 'Executions per second slower than QUERYLENS_SLOW_QUERY_MS, by database and operation.',
          targets: [{ expr: q.sumRate([LABEL.dbSystem, LABEL.dbOperation], METRICS.slowQueries.scraped, RATE),
            legend: `{{${LABEL.dbSystem}}} {{${LABEL.dbOperation}}}` }] }),
        timeseriesPanel({ title: 'Automatic EXPLAIN runs', unit: 'ops',
          description: 'EXPLAIN runs the agent made for slow statements, by outcome (ok, skipped, error, timeout).',
          targets: [{ expr: q.sumRate([LABEL.outcome], METRICS.explainRuns.scraped, RATE), legend: `{{${LABEL.outcome}}}` }] }),
        timeseriesPanel({ title: 'N+1 loops', unit: 'ops',
          description: 'N+1 loops detected per second, by statement fingerprint.',
          targets: [{ expr: q.sumRate(byFingerprint, METRICS.nPlusOne.scraped, RATE), legend: fingerprintLegend }] }),
        tablePanel({ title: 'N+1 loops by statement', unit: 'short', width: 12,
          description: 'Statements run once per row of an earlier result, with the number of loops over the selected range.',
          targets: [{ expr: withQueryText(aggregate('sum', byFingerprint, q.increase(METRICS.nPlusOne.scraped, RANGE))), legend: 'Loops' }] }),
      ],
    },
  ],
};
