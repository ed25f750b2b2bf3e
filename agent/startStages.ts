/**
 * The agent's start after capture: the SQL engine, the OpenTelemetry SDK,
 * recording and the agent server, loaded as stages, one per turn of the
 * event loop once the app's own start has run. Each stage waits for a moment
 * when the app has no statement, pool checkout, Redis command or HTTP request
 * in flight (core/appWork.ts), so the app's first statement and first request
 * never wait behind the agent's loading. MAX_IDLE_WAIT_MS after the stages
 * were scheduled (at preload), the rest run without waiting (a service busy
 * from its first millisecond still gets its metrics), still one per turn.
 * The timers are unref'd: a process that ends before they fire (a script
 * that exits at once) never loads those stages at all.
 */
import { appIsIdle, watchAppWork, whenAppIdle } from '../core/appWork';

/**
 * How long, from preload on, the stages wait for idle moments: past it, the
 * rest run one per turn whatever the app is doing.
 */
export const MAX_IDLE_WAIT_MS = 2000;

/** One stage; it may answer the stages that finish its work, which run next, each in a turn of its own. */
export type StartStage = () => void | readonly StartStage[];

export interface StartStages {
  /** Resolves once every stage has run (or the stages were cancelled). */
  readonly done: Promise<void>;
  /** Runs the stages still waiting, now: a process about to exit that must export first. */
  finishNow(): void;
  /** Runs no further stage. */
  cancel(): void;
}

/**
 * Runs `callback` from a timer of its own: in the timers phase of a later
 * pass of the event loop (a timer set while timers run waits for the next
 * pass), so a stage never shares a pass with the one before. A timer, not an
 * immediate: an unref'd immediate does not wake a loop asleep in its poll
 * phase, and an idle app's loop sleeps there until its next timer or I/O.
 */
function inTurnOfItsOwn(callback: () => void): void {
  setTimeout(callback, 0).unref();
}

export function runStagesWhenIdle(initial: readonly StartStage[], onError: (error: unknown) => void): StartStages {
  const stages = [...initial];
  let next = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  /** Bumped per scheduled stage: of its looks (timer, immediate, deadline), only the first to find it due runs it. */
  let turn = 0;
  /** Set by the one deadline timer: a flag, not a clock read (a timer may fire a millisecond before Date.now() reaches it). */
  let pastWait = false;
  let retryAtDeadline: (() => void) | undefined;
  const deadline = setTimeout(() => {
    pastWait = true;
    retryAtDeadline?.();
  }, MAX_IDLE_WAIT_MS).unref();

  const stop = (): void => {
    next = stages.length;
    turn += 1;
    clearTimeout(deadline);
    watchAppWork(false);
    finish();
  };
  const runNext = (): void => {
    retryAtDeadline = undefined;
    const stage = stages[next];
    next += 1;
    try {
      const more = stage!();
      // A function typed to return nothing may still return something (TypeScript allows it): only a list counts.
      if (Array.isArray(more)) stages.splice(next, 0, ...(more as readonly StartStage[]));
    } catch (error) {
      onError(error);
      stop();
      return;
    }
    schedule();
  };
  const schedule = (): void => {
    if (next >= stages.length) {
      stop();
      return;
    }
    const mine = ++turn;
    const attempt = (): void => {
      if (mine !== turn) return;
      if (pastWait || appIsIdle()) {
        runNext();
        return;
      }
      // Work is in flight: look again once it has ended, from an immediate (this pass,
      // after the app's callbacks) and a timer (an immediate queued from the check
      // phase waits for a loop that may sleep); or when the wait is over.
      whenAppIdle(() => {
        setImmediate(attempt).unref();
        inTurnOfItsOwn(attempt);
      });
      retryAtDeadline = attempt;
    };
    inTurnOfItsOwn(attempt);
  };
  watchAppWork(true);
  schedule();
  return {
    done,
    finishNow: () => {
      while (next < stages.length) runNext();
    },
    cancel: stop,
  };
}
