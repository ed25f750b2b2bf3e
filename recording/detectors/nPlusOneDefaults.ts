/**
 * The N+1 detector's default, apart from the detector: the agent's
 * configuration reads it at the app's start, before the detector and the
 * rule catalogue it brings are loaded.
 */

/** A loop's statements together must take at least this long (QUERYLENS_N_PLUS_ONE_MIN_MS). */
export const N_PLUS_ONE_MIN_TOTAL_MS = 50;
