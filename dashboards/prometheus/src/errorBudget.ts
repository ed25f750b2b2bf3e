/**
 * Multiwindow, multi-burn-rate alerts on the error budget of database calls (Google SRE
 * workbook, chapter 5): recording rules keep the error ratio over each window, the alert
 * needs the long and the short window both above the burn factor times the budget.
 */
import { METRICS } from '../../../core/metrics/registry';
import { DB_SYSTEM, LABEL } from '../../shared/labels';
import { count, ne } from '../../shared/promql';
import type { AlertSpec } from './alertSpec';
import type { RuleContext } from './ruleContext';
import { DB_SLO } from './thresholds';

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

const SLO_BY = [LABEL.job, LABEL.dbSystem];
/** Error budget as a ratio: what the objective leaves to fail. Rounded so the rule text stays readable. */
const BUDGET = Number((1 - DB_SLO.objective).toPrecision(6));

export const errorRatioRecord = (window: string): string => `job:querylens_db_client_errors:ratio_rate${window}`;

function windows(): string[] {
  return [...new Set([DB_SLO.fast.short, DB_SLO.fast.long, DB_SLO.slow.short, DB_SLO.slow.long])];
}

export function errorBudgetRecordingRules({ q }: RuleContext): RecordingRule[] {
  const operations = count(METRICS.dbOperationDuration);
  return windows().map((window) => ({
    record: errorRatioRecord(window),
    expr: q.rateRatio(SLO_BY, operations, window, [ne(LABEL.errorType, '')]),
  }));
}

export function errorBudgetAlert({ fx }: RuleContext): AlertSpec {
  const burn = (w: { factor: number; long: string; short: string }) => {
    const limit = Number((w.factor * BUDGET).toPrecision(6));
    return `${errorRatioRecord(w.long)} > ${limit} and ${errorRatioRecord(w.short)} > ${limit}`;
  };
  // Six and a half hours of one-minute samples: the slow burn's long window needs six.
  const minutes = 400;
  const evalTime = '390m';
  const traffic = (okPerMinute: number, errorsPerMinute: number) => [
    fx.series(count(METRICS.dbOperationDuration), { [LABEL.dbSystem]: DB_SYSTEM.postgresql }, `0+${okPerMinute}x${minutes}`),
    fx.series(count(METRICS.dbOperationDuration), { [LABEL.dbSystem]: DB_SYSTEM.postgresql, [LABEL.errorType]: '57014' },
      `0+${errorsPerMinute}x${minutes}`),
  ];
  const slo = { [LABEL.job]: fx.job, [LABEL.dbSystem]: DB_SYSTEM.postgresql };
  return {
    name: 'QuerylensDbErrorBudgetBurn',
    signal: errorRatioRecord(DB_SLO.fast.long),
    levels: [
      { severity: 'critical', expr: burn(DB_SLO.fast), for: '2m' },
      { severity: 'warning', expr: burn(DB_SLO.slow), for: '15m' },
    ],
    summary: 'Database calls burn their error budget too fast.',
    description: (t) => `${t.value} of ${t.label(LABEL.dbSystem)} calls of job ${t.label(LABEL.job)} failed over the long burn-rate window (${DB_SLO.fast.long} when critical, ${DB_SLO.slow.long} when warning), against a ${DB_SLO.objective * 100}% success objective: at this rate the monthly budget is gone in days.`,
    valueFormat: 'humanizePercentage',
    cases: [
      { name: 'six percent of calls fail', series: traffic(94, 6), evalTime, firing: [
        { severity: 'critical', labels: slo, value: '6%' },
        { severity: 'warning', labels: slo, value: '6%' },
      ] },
      { name: 'one percent of calls fail', series: traffic(99, 1), evalTime,
        firing: [{ severity: 'warning', labels: slo, value: '1%' }] },
      { name: 'within budget', series: traffic(999, 1), evalTime, firing: [] },
    ],
  };
}
