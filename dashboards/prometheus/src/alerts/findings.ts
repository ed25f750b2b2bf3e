/** What the SQL engine finds at run time: slow queries, N+1 loops, new error-severity findings. */
import { METRICS } from '../../../../core/metrics/registry';
import { DB_SYSTEM, FINDING_SEVERITY, LABEL } from '../../../shared/labels';
import { aggregate, count, eq } from '../../../shared/promql';
import type { AlertSpec } from '../alertSpec';
import { above } from '../alertSpec';
import { EVAL_TIME, SAMPLES } from '../fixtures';
import type { RuleContext } from '../ruleContext';
import { TARGET } from '../ruleContext';
import { RATE_WINDOW, THRESHOLDS } from '../thresholds';

export function findingAlerts(ctx: RuleContext): AlertSpec[] {
  return [slowQueries(ctx), nPlusOne(ctx), newErrorFindings(ctx), verifiedIndexSuggestion(ctx)];
}

function slowQueries({ q, fx }: RuleContext): AlertSpec {
  const pg = eq(LABEL.dbSystem, DB_SYSTEM.postgresql);
  const signal = `${q.sumRate(TARGET, METRICS.slowQueries.scraped, RATE_WINDOW, pg)} / ${q.sumRate(TARGET, count(METRICS.dbOperationDuration), RATE_WINDOW, pg)}`;
  const traffic = (slowPerMinute: number) => [
    fx.counter(METRICS.slowQueries.scraped, { [LABEL.dbSystem]: DB_SYSTEM.postgresql, [LABEL.dbOperation]: 'SELECT' }, slowPerMinute),
    fx.counter(count(METRICS.dbOperationDuration), { [LABEL.dbSystem]: DB_SYSTEM.postgresql }, 60),
  ];
  return {
    name: 'QuerylensSlowQueriesHigh',
    signal,
    levels: [{ severity: 'warning', expr: above(signal, THRESHOLDS.slowQueryRatio), for: '10m' }],
    summary: 'Many PostgreSQL statements exceed the slow-query threshold.',
    description: (t) => `${t.value} of PostgreSQL statements on ${t.label(LABEL.instance)} run longer than QUERYLENS_SLOW_QUERY_MS; the status page lists them with their plans.`,
    valueFormat: 'humanizePercentage',
    cases: [
      { name: 'a tenth of statements are slow', series: traffic(6), evalTime: EVAL_TIME,
        firing: [{ severity: 'warning', labels: fx.target(), value: '10%' }] },
      { name: 'no slow statements', series: traffic(0), evalTime: EVAL_TIME, firing: [] },
    ],
  };
}

function nPlusOne({ q, fx }: RuleContext): AlertSpec {
  const signal = `${q.sumRate(TARGET, METRICS.nPlusOne.scraped, RATE_WINDOW)} * 60`;
  const loops = (perMinute: number) => [fx.counter(METRICS.nPlusOne.scraped, { [LABEL.fingerprint]: 'a1b2c3d4e5f60708' }, perMinute)];
  return {
    name: 'QuerylensNPlusOneLoops',
    signal,
    levels: [{ severity: 'info', expr: above(signal, THRESHOLDS.nPlusOnePerMinute), for: '15m' }],
    summary: 'The app keeps running N+1 query loops.',
    description: (t) => `${t.label(LABEL.instance)} runs ${t.value} N+1 loops per minute (the same statement once per row of an earlier result); batch them into one query.`,
    valueFormat: 'humanize',
    cases: [
      { name: 'frequent loops', series: loops(THRESHOLDS.nPlusOnePerMinute * 5), evalTime: EVAL_TIME,
        firing: [{ severity: 'info', labels: fx.target(), value: String(THRESHOLDS.nPlusOnePerMinute * 5) }] },
      { name: 'a rare loop', series: loops(THRESHOLDS.nPlusOnePerMinute / 2), evalTime: EVAL_TIME, firing: [] },
    ],
  };
}

/** A suggested index HypoPG verified, for statements that take a real share of the service's database time. */
function verifiedIndexSuggestion({ q, fx }: RuleContext): AlertSpec {
  const verified = (value: string) => ({ [LABEL.verified]: value });
  const signal = q.maxGauge(TARGET, METRICS.indexSuggestionTimeShare.scraped, eq(LABEL.verified, 'true'));
  const share = (value: string, ratio: number) => [fx.series(METRICS.indexSuggestionTimeShare.scraped, verified(value), `${ratio}x${SAMPLES}`)];
  return {
    name: 'QuerylensIndexSuggested',
    signal,
    levels: [{ severity: 'info', expr: above(signal, THRESHOLDS.indexSuggestionTimeShare), for: '15m' }],
    summary: 'A verified index would speed up statements that take a large share of database time.',
    description: (t) => `${t.value} of the statement time of ${t.label(LABEL.instance)} is in statements a HypoPG-verified index would help; the status page gives the CREATE INDEX CONCURRENTLY statement.`,
    valueFormat: 'humanizePercentage',
    cases: [
      { name: 'a verified index for 30% of the time', series: share('true', 0.3), evalTime: EVAL_TIME,
        firing: [{ severity: 'info', labels: fx.target(), value: '30%' }] },
      { name: 'an unverified estimate for 30% of the time', series: share('false', 0.3), evalTime: EVAL_TIME, firing: [] },
      { name: 'a verified index for 5% of the time', series: share('true', 0.05), evalTime: EVAL_TIME, firing: [] },
    ],
  };
}

/**
 * "New" is "more fingerprints flagged by a rule than an hour ago, or flagged by a rule that
 * had none an hour ago"; the alert clears itself once the finding is an hour old.
 */
function newErrorFindings({ q, fx }: RuleContext): AlertSpec {
  const by = [...TARGET, LABEL.rule];
  const lookback = THRESHOLDS.newFindingLookback;
  const errors = eq(LABEL.severity, FINDING_SEVERITY.error);
  const now = q.sumGauge(by, METRICS.findings.scraped, errors);
  const before = aggregate('sum', by, `${q.select(METRICS.findings.scraped, errors)} offset ${lookback}`);
  const expr = `${now} > ${before} or (${now} > 0 unless ${before})`;
  const rule = 'update-without-where';
  const finding = (severity: string, values: string) =>
    fx.series(METRICS.findings.scraped, { [LABEL.rule]: rule, [LABEL.severity]: severity, [LABEL.category]: 'correctness' }, values);
  // Three hours of samples: the offset needs history before the evaluation time.
  const longEval = '150m';
  const minutes = 180;
  return {
    name: 'QuerylensNewErrorFinding',
    signal: now,
    levels: [{ severity: 'warning', expr, for: '0m' }],
    summary: 'The SQL engine flagged a new error-severity problem.',
    description: (t) => `Rule ${t.label(LABEL.rule)} now flags ${t.value} statements on ${t.label(LABEL.instance)}; see the findings on the status page.`,
    valueFormat: 'humanize',
    cases: [
      { name: 'a second statement flagged', series: [finding(FINDING_SEVERITY.error, `1x120 2x${minutes - 120}`)], evalTime: longEval,
        firing: [{ severity: 'warning', labels: fx.target({ [LABEL.rule]: rule }), value: '2' }] },
      { name: 'first statement ever flagged by the rule', series: [finding(FINDING_SEVERITY.error, `_x120 1x${minutes - 120}`)],
        evalTime: longEval, firing: [{ severity: 'warning', labels: fx.target({ [LABEL.rule]: rule }), value: '1' }] },
      { name: 'flagged for hours already', series: [finding(FINDING_SEVERITY.error, `1x${minutes}`)], evalTime: longEval, firing: [] },
      { name: 'new warning-severity finding', series: [finding(FINDING_SEVERITY.warning, `_x120 1x${minutes - 120}`)],
        evalTime: longEval, firing: [] },
    ],
  };
}
