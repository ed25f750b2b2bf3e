/**
 * The fleet's instances: every target that reports `querylens_agent_info`,
 * and the targets that are down in a job where some instance runs the agent
 * (a crashed instance has no agent series left, only `up == 0`). Pure.
 */
import { LABEL } from '../dashboards/shared/labels';
import type { FleetInstance } from './fleetModel';
import { SERVICE_LABEL } from './fleetQueries';
import { TARGET, compareTargets, keyOf, targetOf } from './keyedSamples';
import type { VectorSample } from './prometheusApi';

export interface InstanceSamples {
  readonly up: readonly VectorSample[];
  readonly agentInfo: readonly VectorSample[];
  readonly targetInfo: readonly VectorSample[];
}

function labelByTarget(samples: readonly VectorSample[], label: string): Map<string, string> {
  return new Map(samples.map(({ labels }) => [keyOf(labels, TARGET), labels[label] ?? ''] as const));
}

export function fleetInstances(samples: InstanceSamples): FleetInstance[] {
  const versions = labelByTarget(samples.agentInfo, LABEL.version);
  const services = labelByTarget(samples.targetInfo, SERVICE_LABEL);
  const up = new Map(samples.up.map(({ labels, value }) => [keyOf(labels, TARGET), value === 1] as const));
  const agentJobs = new Set(samples.agentInfo.map(({ labels }) => labels[LABEL.job] ?? ''));
  const targets = new Map<string, Readonly<Record<string, string>>>();
  for (const { labels } of samples.agentInfo) targets.set(keyOf(labels, TARGET), labels);
  for (const { labels, value } of samples.up) {
    if (value !== 1 && agentJobs.has(labels[LABEL.job] ?? '')) targets.set(keyOf(labels, TARGET), labels);
  }
  return [...targets.entries()].map(([key, labels]) => ({
    ...targetOf(labels), up: up.get(key), service: services.get(key) || undefined, agentVersion: versions.get(key),
  })).sort(compareTargets);
}
