/**
 * N+1 loops, after Sentry's rule: the same fingerprint executed at least
 * `threshold` times within one unit of work (an HTTP request, or else the
 * app's active span: capture decides, see instrumentations/pg/unitOfWorkKey.ts),
 * together taking at least `minTotalMs`. Each loop is reported once per
 * context and fingerprint, and keeps growing after that: the finding names
 * the latest loop's size so far, not the count at which it crossed the
 * threshold. Unlike Sentry we do not require the repeats to be consecutive
 * siblings: the pg hook sees statements, not the span tree, and a loop
 * interleaved with another statement is still a loop.
 *
 * Bounded: contexts live in an LRU (a context that ended simply ages out),
 * fingerprints per context are capped, and the per-fingerprint loop summary
 * is an LRU too.
 */
import type { StaticFinding } from '../../core/statementAnalysis';
import { LruMap } from '../../core/lruMap';
import { runtimeFinding, type RuntimeRuleId } from '../../sql/catalogue/runtimeRules';
import { N_PLUS_ONE_MIN_TOTAL_MS } from './nPlusOneDefaults';

export const N_PLUS_ONE_RULE: RuntimeRuleId = 'n-plus-one';

export interface NPlusOneOptions {
  readonly threshold: number;
  /** Default N_PLUS_ONE_MIN_TOTAL_MS (QUERYLENS_N_PLUS_ONE_MIN_MS). */
  readonly minTotalMs?: number;
  /** Units of work remembered at once (default 1,000). */
  readonly maxContexts?: number;
  /** Distinct fingerprints tracked inside one context (default 64). */
  readonly maxFingerprintsPerContext?: number;
  /** Fingerprints with a loop summary (default 200). */
  readonly maxLoopSummaries?: number;
}

export interface NPlusOneObservation {
  readonly contextKey: string | undefined;
  readonly fingerprint: string;
  readonly normalized: string;
  readonly durationMs: number;
  readonly at: number;
}

export function nPlusOneFinding(loop: NPlusOneLoop): StaticFinding {
  return runtimeFinding(N_PLUS_ONE_RULE, `Same statement executed ${loop.repetitions} times in one unit of work (request or span), ${Math.round(loop.totalMs)} ms in total (N+1 loop)`);
}

/** A loop's size: when it crossed both thresholds, or so far (`latestLoop`). */
export interface NPlusOneLoop {
  readonly fingerprint: string;
  readonly repetitions: number;
  readonly totalMs: number;
}

export interface NPlusOneSummary {
  readonly fingerprint: string;
  readonly normalized: string;
  /** Units of work in which the loop was detected. */
  readonly loops: number;
  /** Most executions of the fingerprint seen in one unit of work. */
  readonly maxRepetitions: number;
  /** Most time the repetitions took in one unit of work. */
  readonly maxTotalMs: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** The routes its loops ran on, most loops first (at most MAX_ROUTES_PER_LOOP). */
  readonly routes: readonly { readonly route: string; readonly loops: number }[];
}

/** Routes remembered per looping statement. */
export const MAX_ROUTES_PER_LOOP = 5;

interface Repetition {
  count: number;
  totalMs: number;
  reported: boolean;
}

interface MutableSummary {
  readonly fingerprint: string;
  readonly normalized: string;
  /** The loop detected last, still counted by its unit of work while it runs (one small object, not the unit). */
  latest: Repetition;
  loops: number;
  maxRepetitions: number;
  maxTotalMs: number;
  readonly firstSeen: number;
  lastSeen: number;
  readonly routes: Map<string, number>;
}

export class NPlusOneDetector {
  private readonly threshold: number;
  private readonly minTotalMs: number;
  private readonly maxFingerprintsPerContext: number;
  private readonly contexts: LruMap<string, LruMap<string, Repetition>>;
  private readonly summaries: LruMap<string, MutableSummary>;

  constructor(options: NPlusOneOptions) {
    this.threshold = options.threshold;
    this.minTotalMs = options.minTotalMs ?? N_PLUS_ONE_MIN_TOTAL_MS;
    this.maxFingerprintsPerContext = options.maxFingerprintsPerContext ?? 64;
    this.contexts = new LruMap(options.maxContexts ?? 1000);
    this.summaries = new LruMap(options.maxLoopSummaries ?? 200);
  }

  /** Returns the loop when this execution completes one, once per context and fingerprint. */
  observe(observation: NPlusOneObservation): NPlusOneLoop | undefined {
    if (observation.contextKey === undefined) return undefined;
    let repetitions = this.contexts.get(observation.contextKey);
    if (repetitions === undefined) {
      repetitions = new LruMap(this.maxFingerprintsPerContext);
      this.contexts.set(observation.contextKey, repetitions);
    }
    let repetition = repetitions.get(observation.fingerprint);
    if (repetition === undefined) {
      repetition = { count: 0, totalMs: 0, reported: false };
      repetitions.set(observation.fingerprint, repetition);
    }
    repetition.count += 1;
    repetition.totalMs += observation.durationMs;
    if (repetition.reported) {
      this.extendSummary(observation.fingerprint, repetition, observation.at);
      return undefined;
    }
    if (repetition.count < this.threshold || repetition.totalMs < this.minTotalMs) return undefined;
    repetition.reported = true;
    this.startSummary(observation, repetition);
    return { fingerprint: observation.fingerprint, repetitions: repetition.count, totalMs: repetition.totalMs };
  }

  private startSummary(observation: NPlusOneObservation, repetition: Repetition): void {
    const summary = this.summaries.get(observation.fingerprint);
    if (summary === undefined) {
      this.summaries.set(observation.fingerprint, {
        fingerprint: observation.fingerprint,
        normalized: observation.normalized,
        latest: repetition,
        loops: 1,
        maxRepetitions: repetition.count,
        maxTotalMs: repetition.totalMs,
        firstSeen: observation.at,
        lastSeen: observation.at,
        routes: new Map(),
      });
      return;
    }
    summary.loops += 1;
    summary.latest = repetition;
    this.extendSummary(observation.fingerprint, repetition, observation.at);
  }

  /** A reported loop that keeps going raises the maxima, not the loop count. */
  private extendSummary(fingerprint: string, repetition: Repetition, at: number): void {
    const summary = this.summaries.peek(fingerprint);
    if (summary === undefined) return;
    summary.maxRepetitions = Math.max(summary.maxRepetitions, repetition.count);
    summary.maxTotalMs = Math.max(summary.maxTotalMs, repetition.totalMs);
    summary.lastSeen = at;
  }

  /** The route of the loop just detected for `fingerprint`. */
  noteRoute(fingerprint: string, route: string): void {
    const routes = this.summaries.peek(fingerprint)?.routes;
    if (routes === undefined) return;
    const loops = routes.get(route);
    if (loops !== undefined) routes.set(route, loops + 1);
    else if (routes.size < MAX_ROUTES_PER_LOOP) routes.set(route, 1);
  }

  /** The size so far of the fingerprint's latest loop. */
  latestLoop(fingerprint: string): NPlusOneLoop | undefined {
    const summary = this.summaries.peek(fingerprint);
    if (summary === undefined) return undefined;
    return { fingerprint, repetitions: summary.latest.count, totalMs: summary.latest.totalMs };
  }

  /** Loops by fingerprint, most frequent first. */
  loops(): NPlusOneSummary[] {
    return [...this.summaries.values()]
      .map(({ latest: _latest, routes, ...summary }) => ({
        ...summary,
        routes: [...routes].map(([route, loops]) => ({ route, loops })).sort((a, b) => b.loops - a.loops),
      }))
      .sort((a, b) => b.loops - a.loops || b.lastSeen - a.lastSeen);
  }

  reset(): void {
    this.contexts.clear();
    this.summaries.clear();
  }
}
