import type { FleetTarget } from './fleetModel';

/**
 * "Per instance where it differs": the fleet view lists an item's figures
 * instance by instance only when that tells something, i.e. when some
 * instance lacks the item or two instances show different figures.
 */
export function instancesDiffer(figures: readonly string[], fleetSize: number): boolean {
  return figures.length < fleetSize || new Set(figures).size > 1;
}

/** How the per-instance figures name a target: with its job, since two jobs can share an instance value. */
export function targetName(target: FleetTarget): string {
  return `${target.job}/${target.instance}`;
}
