/** The agent as a scrape target, and its own caught failures. */
import { METRICS } from '../../../../core/metrics/registry';
import { LABEL, NON_INSTRUMENT_SERIES } from '../../../shared/labels';
import type { AlertSpec } from '../alertSpec';
import { above } from '../alertSpec';
import { EVAL_TIME } from '../fixtures';
import type { RuleContext } from '../ruleContext';
import { TARGET } from '../ruleContext';
import { THRESHOLDS } from '../thresholds';

export function agentAlerts({ job, q, fx }: RuleContext): AlertSpec[] {
  const up = q.select(NON_INSTRUMENT_SERIES.up);
  // An increase, not a sustained rate: one failure is worth a look. Each component is exported
  // at 0 from the start, so its first failure is an increase.
  const agentErrors = q.sumIncrease([...TARGET, LABEL.component], METRICS.agentErrors.scraped, THRESHOLDS.agentErrorWindow);
  const component = { [LABEL.component]: 'explain' };
  return [
    {
      name: 'QuerylensTargetDown',
      signal: up,
      levels: [{ severity: 'critical', expr: `${up} == 0`, for: '5m' }],
      summary: 'Prometheus cannot scrape the querylens agent.',
      description: (t) => `Scrapes of ${t.label(LABEL.instance)} (job ${t.label(LABEL.job)}) have failed for 5 minutes: no database, cache or runtime metrics are collected from it.`,
      valueFormat: 'humanize',
      cases: [
        { name: 'scrapes fail', series: [fx.up(job, `0x30`)], evalTime: EVAL_TIME,
          firing: [{ severity: 'critical', labels: fx.target(), value: '0' }] },
        { name: 'scrapes succeed', series: [fx.up(job, `1x30`)], evalTime: EVAL_TIME, firing: [] },
      ],
    },
    {
      name: 'QuerylensTargetAbsent',
      signal: `absent(${up})`,
      levels: [{ severity: 'warning', expr: `absent(${up})`, for: '10m' }],
      summary: 'No querylens agent target is known to Prometheus.',
      description: (t) => `Prometheus has no target for job ${t.label(LABEL.job)} at all: check the scrape configuration and service discovery.`,
      valueFormat: 'humanize',
      cases: [
        { name: 'only another job is scraped', series: [fx.up('some-other-job', '1x30')], evalTime: EVAL_TIME,
          firing: [{ severity: 'warning', labels: { [LABEL.job]: job }, value: '1' }] },
        { name: 'the job has a target', series: [fx.up(job, '1x30')], evalTime: EVAL_TIME, firing: [] },
      ],
    },
    {
      name: 'QuerylensAgentErrors',
      signal: agentErrors,
      levels: [{ severity: 'warning', expr: above(agentErrors, 0), for: '0m' }],
      summary: 'The querylens agent caught failures of its own.',
      description: (t) => `The ${t.label(LABEL.component)} component of the agent on ${t.label(LABEL.instance)} caught ${t.value} failures in the last ${THRESHOLDS.agentErrorWindow}; the app is unaffected but its metrics may be incomplete.`,
      valueFormat: 'humanize',
      cases: [
        { name: 'a component fails', series: [fx.counter(METRICS.agentErrors.scraped, component, 2)],
          evalTime: EVAL_TIME, firing: [{ severity: 'warning', labels: fx.target(component), value: '30' }] },
        ...fx.singleEventCases(METRICS.agentErrors.scraped, component, 'failure of a component', 'warning'),
        { name: 'no failures', series: [fx.counter(METRICS.agentErrors.scraped, component, 0)],
          evalTime: EVAL_TIME, firing: [] },
      ],
    },
  ];
}
