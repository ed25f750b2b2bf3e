// What every interleaved benchmark shares: rounds of the modes in a shuffled
// order and medians of per-round figures.
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Each round runs the modes in a shuffled order (seeded by BENCH_SEED, so a run
 * can be repeated): on this machine the order of runs moves the figures (in
 * alternating pairs of bare and agent runs, the second of a pair was faster
 * by several percent either way round), and a fixed order, even rotated,
 * would always give a mode the same predecessor.
 */
export function shuffledRounds(modes, count, seed) {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => {
    const order = [...modes];
    for (let index = order.length - 1; index > 0; index -= 1) {
      const other = Math.floor(random() * (index + 1));
      [order[index], order[other]] = [order[other], order[index]];
    }
    return order;
  });
}

/**
 * The median over rounds of each run's figure divided by the same round's
 * bare figure: the machine's speed drifts between rounds, and a ratio of two
 * runs a few seconds apart cancels most of that drift.
 */
export function medianRatio(runs, bareRuns, key) {
  return median(runs.map((run, round) => run[key] / bareRuns[round][key]));
}

/** A throughput's two table columns: its median over rounds, rounded, and its median ratio to bare, to two decimals. */
export function throughputColumns(runs, bareRuns, key, label, ratioLabel) {
  return { [label]: Math.round(median(runs.map((run) => run[key]))), [ratioLabel]: Number(medianRatio(runs, bareRuns, key).toFixed(2)) };
}
