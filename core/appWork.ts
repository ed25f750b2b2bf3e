/**
 * Whether the app is waiting on something right now: statements, pool
 * checkouts and Redis commands in flight, HTTP requests not yet answered. The agent loads its
 * later start-up stages only in moments when nothing is (agent/startStages.ts),
 * so its loading never sits between the app and an answer the app waits for.
 * Counted only while those stages remain: afterwards the capture hooks' calls
 * here cost a flag test.
 */
let watching = false;
let inFlight = 0;
let onIdle: (() => void) | undefined;

export function watchAppWork(watch: boolean): void {
  watching = watch;
  inFlight = 0;
  onIdle = undefined;
}

export function appWorkBegan(): void {
  if (watching) inFlight += 1;
}

export function appWorkEnded(): void {
  if (!watching || inFlight === 0) return;
  inFlight -= 1;
  if (inFlight > 0 || onIdle === undefined) return;
  const idle = onIdle;
  onIdle = undefined;
  idle();
}

export function appIsIdle(): boolean {
  return inFlight === 0;
}

/** Calls `callback` when the work in flight has ended (at once if none is); one waiter at a time. */
export function whenAppIdle(callback: () => void): void {
  if (inFlight === 0) callback();
  else onIdle = callback;
}
