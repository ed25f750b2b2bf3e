/** PostgreSQL operations: errors, latency, transaction conflicts, refused connections. */
import { METRICS } from '../../../../core/metrics/registry';
import { DB_SYSTEM, LABEL, SQLSTATE } from '../../../shared/labels';
import { count, eq, re } from '../../../shared/promql';
import type { AlertSpec } from '../alertSpec';
import { above } from '../alertSpec';
import { EVAL_TIME } from '../fixtures';
import type { RuleContext } from '../ruleContext';
import { TARGET } from '../ruleContext';
import { RATE_WINDOW, THRESHOLDS } from '../thresholds';
import { errorRatioAlert } from './databaseErrors';
import { p99LatencyAlert } from './databaseLatency';

const PG = eq(LABEL.dbSystem, DB_SYSTEM.postgresql);

export function postgresAlerts(ctx: RuleContext): AlertSpec[] {
  return [
    errorRatioAlert(ctx, 'QuerylensPgErrorRateHigh', DB_SYSTEM.postgresql, 'PostgreSQL', '23505'),
    // 0.5 + (1 - 0.5) * 0.99: interpolated inside the (0.5, 1] bucket.
    p99LatencyAlert(ctx, 'QuerylensPgLatencyHigh', DB_SYSTEM.postgresql, 'PostgreSQL', THRESHOLDS.pgP99Seconds, '995ms'),
    sqlstateAlert(ctx, 'QuerylensPgDeadlocks', SQLSTATE.deadlockDetected, 'deadlocks',
      'PostgreSQL aborts transactions that deadlock.'),
    sqlstateAlert(ctx, 'QuerylensPgSerializationFailures', SQLSTATE.serializationFailure, 'serialization failures',
      'PostgreSQL aborts transactions that conflict under REPEATABLE READ or SERIALIZABLE.'),
    connectionsRefused(ctx),
  ];
}

function perMinute(ctx: RuleContext, labels: readonly string[], errorTypes: string): string {
  return `${ctx.q.sumRate(labels, count(METRICS.dbOperationDuration), RATE_WINDOW, PG, re(LABEL.errorType, errorTypes))} * 60`;
}

function sqlstateAlert(ctx: RuleContext, name: string, sqlstate: string, what: string, summary: string): AlertSpec {
  const { fx } = ctx;
  const signal = perMinute(ctx, TARGET, sqlstate);
  const threshold = THRESHOLDS.txConflictsPerMinute;
  const failures = (n: number) => [
    fx.counter(count(METRICS.dbOperationDuration), { [LABEL.dbSystem]: DB_SYSTEM.postgresql, [LABEL.errorType]: sqlstate }, n),
  ];
  return {
    name,
    signal,
    levels: [{ severity: 'warning', expr: above(signal, threshold), for: '5m' }],
    summary,
    description: (t) => `${t.label(LABEL.instance)} gets ${t.value} ${what} (SQLSTATE ${sqlstate}) per minute; each one is a failed transaction the app must retry.`,
    valueFormat: 'humanize',
    cases: [
      { name: `${what} above the threshold`, series: failures(threshold * 2), evalTime: EVAL_TIME,
        firing: [{ severity: 'warning', labels: fx.target(), value: String(threshold * 2) }] },
      { name: `occasional ${what}`, series: failures(1), evalTime: EVAL_TIME, firing: [] },
    ],
  };
}

function connectionsRefused(ctx: RuleContext): AlertSpec {
  const { fx } = ctx;
  const codes = `${SQLSTATE.tooManyConnections}|${SQLSTATE.cannotConnectNow}`;
  const signal = perMinute(ctx, [...TARGET, LABEL.errorType], codes);
  const refusals = (errorType: string, n: number) => [
    fx.counter(count(METRICS.dbOperationDuration), { [LABEL.dbSystem]: DB_SYSTEM.postgresql, [LABEL.errorType]: errorType }, n),
  ];
  return {
    name: 'QuerylensPgConnectionsRefused',
    signal,
    levels: [{ severity: 'critical', expr: above(signal, 0), for: '1m' }],
    summary: 'PostgreSQL refuses new connections.',
    description: (t) => `${t.label(LABEL.instance)} gets ${t.value} refused connections per minute with SQLSTATE ${t.label(LABEL.errorType)} (53300: too many connections, 57P03: the server is starting or shutting down).`,
    valueFormat: 'humanize',
    cases: [
      { name: 'too many connections', series: refusals(SQLSTATE.tooManyConnections, 3), evalTime: EVAL_TIME,
        firing: [{ severity: 'critical', labels: fx.target({ [LABEL.errorType]: SQLSTATE.tooManyConnections }), value: '3' }] },
      { name: 'server starting up', series: refusals(SQLSTATE.cannotConnectNow, 1), evalTime: EVAL_TIME,
        firing: [{ severity: 'critical', labels: fx.target({ [LABEL.errorType]: SQLSTATE.cannotConnectNow }), value: '1' }] },
      { name: 'other errors only', series: [...refusals(SQLSTATE.tooManyConnections, 0), ...refusals('23505', 5)],
        evalTime: EVAL_TIME, firing: [] },
    ],
  };
}
