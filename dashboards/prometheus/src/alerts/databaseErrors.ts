/** Share of failed operations, per database system: PostgreSQL and Redis share the shape. */
import { METRICS } from '../../../../core/metrics/registry';
import { DB_SYSTEM, LABEL } from '../../../shared/labels';
import { count, eq, ne } from '../../../shared/promql';
import type { AlertSpec } from '../alertSpec';
import { twinLevels } from '../alertSpec';
import { EVAL_TIME } from '../fixtures';
import type { RuleContext } from '../ruleContext';
import { TARGET } from '../ruleContext';
import { RATE_WINDOW, THRESHOLDS } from '../thresholds';

type DbSystem = (typeof DB_SYSTEM)[keyof typeof DB_SYSTEM];

export function errorRatioAlert({ q, fx }: RuleContext, name: string, system: DbSystem, label: string,
  sampleError: string): AlertSpec {
  const operations = count(METRICS.dbOperationDuration);
  const signal = q.rateRatio(TARGET, operations, RATE_WINDOW, [ne(LABEL.errorType, '')], [eq(LABEL.dbSystem, system)]);
  const traffic = (okPerMinute: number, errorsPerMinute: number) => [
    fx.counter(operations, { [LABEL.dbSystem]: system }, okPerMinute),
    fx.counter(operations, { [LABEL.dbSystem]: system, [LABEL.errorType]: sampleError }, errorsPerMinute),
  ];
  return {
    name,
    signal,
    levels: twinLevels(signal, THRESHOLDS.dbErrorRatio, { warning: '10m', critical: '5m' }),
    summary: `Many ${label} operations fail.`,
    description: (t) => `${t.value} of ${label} operations from ${t.label(LABEL.instance)} failed over the last ${RATE_WINDOW}.`,
    valueFormat: 'humanizePercentage',
    cases: [
      { name: 'a fifth of operations fail', series: traffic(48, 12), evalTime: EVAL_TIME, firing: [
        { severity: 'warning', labels: fx.target(), value: '20%' },
        { severity: 'critical', labels: fx.target(), value: '20%' },
      ] },
      { name: 'a few operations fail', series: traffic(56, 4), evalTime: EVAL_TIME,
        firing: [{ severity: 'warning', labels: fx.target(), value: '6.667%' }] },
      { name: 'rare failures', series: traffic(59, 1), evalTime: EVAL_TIME, firing: [] },
    ],
  };
}
