/**
 * The Prometheus rule file and its promtool tests for one job, computed in memory. Shared by
 * `npm run dashboards` and `querylens dashboards`, so it must not import the Grafana SDK (a
 * devDependency the installed package does not have).
 */
import { renderPromtoolTests } from './prometheus/src/promtoolTests';
import { ruleContext } from './prometheus/src/ruleContext';
import type { RuleFileOptions } from './prometheus/src/ruleFile';
import { DEFAULT_RUNBOOK_URL, renderRuleFile } from './prometheus/src/ruleFile';
import { ruleGroups } from './prometheus/src/ruleGroups';
import { yamlFile } from './shared/yamlFile';

export const DEFAULT_JOB = 'querylens';
export const RULE_FILE = 'prometheus/querylens.rules.yml';
export const RULE_TEST_FILE = 'prometheus/tests/querylens.rules.test.yml';

export interface ArtifactOptions extends RuleFileOptions {
  /** Prometheus `job` label of the scraped agents the rules watch. */
  readonly job: string;
}

export const DEFAULT_OPTIONS: ArtifactOptions = { job: DEFAULT_JOB, runbookUrl: DEFAULT_RUNBOOK_URL };

export interface RuleArtifacts {
  /** The rule file (RULE_FILE). */
  readonly rules: string;
  /** Its promtool unit tests (RULE_TEST_FILE), which name the rule file relative to themselves. */
  readonly tests: string;
}

/** `header` opens both files: it says what wrote them and how to regenerate them. */
export function generateRuleArtifacts(options: ArtifactOptions, header: string): RuleArtifacts {
  const groups = ruleGroups(ruleContext(options.job));
  return {
    rules: yamlFile(header, renderRuleFile(groups, options)),
    tests: yamlFile(header, renderPromtoolTests(groups, '../querylens.rules.yml', options)),
  };
}
