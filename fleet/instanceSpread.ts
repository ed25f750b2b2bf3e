/**
 * "Per instance where it differs": the fleet view lists an item's figures
 * instance by instance only when that tells something, i.e. when some
 * instance lacks the item or two instances show different figures.
 */
export function instancesDiffer(figures: readonly string[], fleetSize: number): boolean {
  return figures.length < fleetSize || new Set(figures).size > 1;
}
