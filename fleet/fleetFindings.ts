/**
 * Findings by rule across the fleet: `querylens_findings` (fingerprints a rule
 * flags, per instance) next to `querylens_flagged_executions_total`. A rule
 * that flags nothing anywhere is left out (the executions counter of every
 * rule that is on exists at 0). Pure.
 */
import { FINDING_SEVERITY, LABEL } from '../dashboards/shared/labels';
import type { FleetFinding, FleetFindingInstance } from './fleetModel';
import { TARGET, compareTargets, groupBy, keyOf, targetOf, valuesByKey } from './keyedSamples';
import type { VectorSample } from './prometheusApi';

export interface FindingSamples {
  readonly findings: readonly VectorSample[];
  readonly flagged: readonly VectorSample[];
}

const SEVERITY_ORDER: readonly string[] = [FINDING_SEVERITY.error, FINDING_SEVERITY.warning, FINDING_SEVERITY.info];
const RULE_ON_INSTANCE = [LABEL.rule, ...TARGET];

interface RuleOnInstance extends FleetFindingInstance {
  readonly rule: string;
  readonly severity: string;
  readonly category: string;
}

function severityRank(severity: string): number {
  const rank = SEVERITY_ORDER.indexOf(severity);
  return rank < 0 ? SEVERITY_ORDER.length : rank;
}

/** One entry per (rule, job, instance) seen in either metric. */
function rulesOnInstances(samples: FindingSamples): RuleOnInstance[] {
  const executions = valuesByKey(samples.flagged, RULE_ON_INSTANCE);
  const fingerprints = valuesByKey(samples.findings, RULE_ON_INSTANCE);
  const described = new Map<string, Readonly<Record<string, string>>>();
  for (const { labels } of [...samples.findings, ...samples.flagged]) {
    const key = keyOf(labels, RULE_ON_INSTANCE);
    // The findings gauge carries the category; the counter only rule and severity.
    if (!described.has(key) || labels[LABEL.category] !== undefined) described.set(key, labels);
  }
  return [...described.entries()].map(([key, labels]) => ({
    rule: labels[LABEL.rule] ?? '', severity: labels[LABEL.severity] ?? '', category: labels[LABEL.category] ?? '',
    ...targetOf(labels), fingerprints: fingerprints.get(key) ?? 0, executions: executions.get(key) ?? 0,
  }));
}

function findingOf(rule: string, entries: readonly RuleOnInstance[]): FleetFinding {
  const instances = entries.filter((entry) => entry.fingerprints > 0 || entry.executions > 0)
    .map(({ job, instance, fingerprints, executions }) => ({ job, instance, fingerprints, executions }))
    .sort((a, b) => b.executions - a.executions || b.fingerprints - a.fingerprints || compareTargets(a, b));
  const described = entries.find((entry) => entry.category !== '') ?? entries[0];
  return {
    rule, severity: described.severity, category: described.category,
    executions: instances.reduce((total, entry) => total + entry.executions, 0),
    maxFingerprints: Math.max(0, ...instances.map((entry) => entry.fingerprints)),
    instances,
  };
}

export function fleetFindings(samples: FindingSamples): FleetFinding[] {
  return [...groupBy(rulesOnInstances(samples), (entry) => entry.rule).entries()]
    .map(([rule, entries]) => findingOf(rule, entries))
    .filter((finding) => finding.instances.length > 0)
    .sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || b.executions - a.executions || a.rule.localeCompare(b.rule));
}
