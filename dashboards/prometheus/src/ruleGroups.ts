/** The alert and recording rule groups, in the order they appear in the rule file. */
import { agentAlerts } from './alerts/agent';
import { cacheAlerts } from './alerts/caches';
import { findingAlerts } from './alerts/findings';
import { poolAlerts } from './alerts/pools';
import { postgresAlerts } from './alerts/postgres';
import { redisAlerts } from './alerts/redis';
import { runtimeAlerts } from './alerts/runtime';
import type { AlertSpec } from './alertSpec';
import type { RecordingRule } from './errorBudget';
import { errorBudgetAlert, errorBudgetRecordingRules } from './errorBudget';
import type { RuleContext } from './ruleContext';

export interface RuleGroupSpec {
  readonly name: string;
  readonly recording: readonly RecordingRule[];
  readonly alerts: readonly AlertSpec[];
}

export function ruleGroups(ctx: RuleContext): RuleGroupSpec[] {
  return [
    { name: 'querylens-agent', recording: [], alerts: agentAlerts(ctx) },
    { name: 'querylens-postgresql', recording: [], alerts: [...postgresAlerts(ctx), ...poolAlerts(ctx)] },
    { name: 'querylens-redis', recording: [], alerts: redisAlerts(ctx) },
    { name: 'querylens-caches', recording: [], alerts: cacheAlerts(ctx) },
    { name: 'querylens-runtime', recording: [], alerts: runtimeAlerts(ctx) },
    { name: 'querylens-sql-findings', recording: [], alerts: findingAlerts(ctx) },
    { name: 'querylens-db-error-budget', recording: errorBudgetRecordingRules(ctx), alerts: [errorBudgetAlert(ctx)] },
  ];
}
