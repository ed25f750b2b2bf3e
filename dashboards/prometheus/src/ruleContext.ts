/** What every alert module receives: the job the rules watch, its selector scope and fixtures. */
import { LABEL } from '../../shared/labels';
import { PromqlScope, eq } from '../../shared/promql';
import { Fixtures } from './fixtures';

export interface RuleContext {
  readonly job: string;
  readonly q: PromqlScope;
  readonly fx: Fixtures;
}

export function ruleContext(job: string): RuleContext {
  return { job, q: new PromqlScope([eq(LABEL.job, job)]), fx: new Fixtures(job) };
}

/** Per-target aggregation most alerts use. */
export const TARGET = [LABEL.job, LABEL.instance] as const;
