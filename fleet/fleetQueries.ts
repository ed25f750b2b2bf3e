/**
 * The PromQL the fleet view runs, from the metric registry and the labels the
 * dashboards use, so a renamed metric renames these with it. Every figure is
 * per instance (job and instance): the fleet totals are summed here in code,
 * which also gives the per-instance breakdown. Counters are read as they are (totals since each
 * process started, as an agent's own report) or as `increase()` over a window.
 */
import { METRICS, type MetricDefinition } from '../core/metrics/registry';
import { LABEL, NON_INSTRUMENT_SERIES } from '../dashboards/shared/labels';
import { PromqlScope, aggregate, eq, type Matcher } from '../dashboards/shared/promql';
import type { FleetScope } from './fleetModel';
import { TARGET } from './keyedSamples';

/** `service.name` as the Prometheus exporter writes it on `target_info`. */
export const SERVICE_LABEL = 'service_name';

// Every per-instance figure is kept by job and instance: by instance alone, `sum by` would merge two jobs' targets that share an instance value.
const STATEMENT = [...TARGET, LABEL.fingerprint, LABEL.dbOperation, LABEL.dbCollection];
const POOL = [...TARGET, LABEL.pool];

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The job matcher: one job exactly, several as an anchored alternation, none: any job. */
export function jobMatchers(jobs: readonly string[]): Matcher[] {
  if (jobs.length === 0) return [];
  if (jobs.length === 1) return [eq(LABEL.job, jobs[0])];
  return [`${LABEL.job}=~${JSON.stringify(jobs.map(escapeRegex).join('|'))}`];
}

export function fleetQueries(scope: FleetScope) {
  const promql = new PromqlScope(jobMatchers(scope.jobs));
  const counter = (labels: readonly string[], definition: MetricDefinition): string => (scope.window === undefined
    ? aggregate('sum', labels, promql.select(definition.scraped))
    : promql.sumIncrease(labels, definition.scraped, scope.window));
  return {
    up: promql.select(NON_INSTRUMENT_SERIES.up),
    agentInfo: promql.maxGauge([...TARGET, LABEL.version], METRICS.agentInfo.scraped),
    targetInfo: promql.maxGauge([...TARGET, SERVICE_LABEL], NON_INSTRUMENT_SERIES.targetInfo),
    calls: counter(STATEMENT, METRICS.queryCalls),
    time: counter(STATEMENT, METRICS.queryTime),
    rows: counter(STATEMENT, METRICS.queryRows),
    errors: counter(STATEMENT, METRICS.queryErrors),
    queryInfo: promql.maxGauge([LABEL.fingerprint, LABEL.query], METRICS.queryInfo.scraped),
    findings: promql.maxGauge([...TARGET, LABEL.rule, LABEL.severity, LABEL.category], METRICS.findings.scraped),
    flagged: counter([...TARGET, LABEL.rule, LABEL.severity], METRICS.flaggedExecutions),
    poolConnections: promql.sumGauge([...POOL, LABEL.connectionState], METRICS.dbConnectionCount.scraped),
    poolMax: promql.maxGauge(POOL, METRICS.dbConnectionMax.scraped),
    poolPending: promql.maxGauge(POOL, METRICS.dbConnectionPendingRequests.scraped),
    poolTimeouts: counter(POOL, METRICS.dbConnectionTimeouts),
  } as const;
}

export type FleetQueryName = keyof ReturnType<typeof fleetQueries>;
