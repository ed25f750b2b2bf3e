/**
 * Reads the fleet report from Prometheus: every query of fleetQueries.ts at
 * once (one instant, so the sections agree to within a scrape), then the pure
 * aggregations. The only side effect of the fleet view.
 */
import type { FleetReport, FleetScope } from './fleetModel';
import { fleetFindings } from './fleetFindings';
import { fleetInstances } from './fleetInstances';
import { fleetPools } from './fleetPools';
import { fleetQueries, type FleetQueryName } from './fleetQueries';
import { fleetStatements } from './fleetStatements';
import { queryVector, type PrometheusTarget, type VectorSample } from './prometheusApi';

export type FleetSamples = Readonly<Record<FleetQueryName, readonly VectorSample[]>>;

export function buildFleetReport(target: PrometheusTarget, scope: FleetScope, samples: FleetSamples, now: Date): FleetReport {
  const { statements, other } = fleetStatements(samples);
  return {
    prometheus: target.url.href, scope, generatedAt: now.toISOString(),
    instances: fleetInstances(samples), statements, other, findings: fleetFindings(samples), pools: fleetPools(samples),
  };
}

export async function readFleet(target: PrometheusTarget, scope: FleetScope): Promise<FleetReport> {
  const at = new Date();
  const queries = fleetQueries(scope);
  const names = Object.keys(queries) as FleetQueryName[];
  const answers = await Promise.all(names.map((name) => queryVector(target, queries[name], at)));
  const samples = {} as Record<FleetQueryName, readonly VectorSample[]>;
  names.forEach((name, index) => { samples[name] = answers[index]; });
  return buildFleetReport(target, scope, samples, at);
}
