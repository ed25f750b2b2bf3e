import { afterEach, describe, expect, it, vi } from 'vitest';
import { appWorkBegan, appWorkEnded, watchAppWork } from '../../core/appWork';
import { MAX_IDLE_WAIT_MS, runStagesWhenIdle } from '../../agent/startStages';

/** Stages run from timers of their own, one per pass of the event loop: a timer set now fires after the stage waiting. */
const turn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) await turn();
}

afterEach(() => {
  watchAppWork(false);
  vi.useRealTimers();
});

describe('runStagesWhenIdle', () => {
  it('runs the stages in order, one per turn of the event loop, none synchronously', async () => {
    const ran: number[] = [];
    const stages = runStagesWhenIdle([0, 1, 2].map((index) => () => { ran.push(index); }), () => undefined);
    expect(ran).toEqual([]);
    await turn();
    expect(ran).toEqual([0]);
    await turn();
    expect(ran).toEqual([0, 1]);
    await stages.done;
    expect(ran).toEqual([0, 1, 2]);
  });

  it('runs the stages a stage answers next, each in a turn of its own, before the stages after it', async () => {
    const ran: string[] = [];
    const stages = runStagesWhenIdle([
      () => { ran.push('plan'); return [() => { ran.push('slice 1'); }, () => { ran.push('slice 2'); }]; },
      () => { ran.push('after'); },
    ], () => undefined);
    await turns(2);
    expect(ran).toEqual(['plan', 'slice 1']);
    await stages.done;
    expect(ran).toEqual(['plan', 'slice 1', 'slice 2', 'after']);
  });

  it('waits while the app has work in flight and runs the next stage once it has none', async () => {
    const ran: string[] = [];
    appWorkBegan(); // before the stages: not counted (watching starts with them)
    const stages = runStagesWhenIdle([() => { ran.push('engine'); }, () => { ran.push('sdk'); }], () => undefined);
    appWorkBegan();
    appWorkBegan();
    await turns(5);
    expect(ran).toEqual([]);
    appWorkEnded();
    await turns(5);
    expect(ran).toEqual([]);
    appWorkEnded();
    await turn();
    expect(ran).toEqual(['engine']);
    // Work that begins before the next stage's turn holds it too.
    appWorkBegan();
    await turns(5);
    expect(ran).toEqual(['engine']);
    appWorkEnded();
    await stages.done;
    expect(ran).toEqual(['engine', 'sdk']);
  });

  it(`runs the rest without waiting once ${MAX_IDLE_WAIT_MS} ms have passed with the app never idle`, async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const ran: number[] = [];
    const stages = runStagesWhenIdle([() => { ran.push(1); }, () => { ran.push(2); }], () => undefined);
    appWorkBegan();
    await vi.advanceTimersByTimeAsync(MAX_IDLE_WAIT_MS - 10);
    expect(ran).toEqual([]);
    // Past the wait, each stage has its turn at once, the app still busy.
    await vi.advanceTimersByTimeAsync(20);
    await stages.done;
    expect(ran).toEqual([1, 2]);
  });

  it('the wait ends with its timer, whatever the wall clock says then (a timer may fire before Date.now() reaches it)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const ran: number[] = [];
    const stages = runStagesWhenIdle([() => { ran.push(1); }, () => { ran.push(2); }], () => undefined);
    appWorkBegan();
    await vi.advanceTimersByTimeAsync(5);
    vi.setSystemTime(Date.now() - 50);
    await vi.advanceTimersByTimeAsync(MAX_IDLE_WAIT_MS + 20);
    await stages.done;
    expect(ran).toEqual([1, 2]);
  });

  it('finishNow runs every stage still waiting, at once; cancel runs none further', async () => {
    const ran: number[] = [];
    const first = runStagesWhenIdle([() => { ran.push(1); }, () => { ran.push(2); }], () => undefined);
    first.finishNow();
    expect(ran).toEqual([1, 2]);
    await first.done;
    const second = runStagesWhenIdle([() => { ran.push(3); }], () => undefined);
    second.cancel();
    await turns(3);
    await second.done;
    expect(ran).toEqual([1, 2]);
  });

  it('a stage that throws is reported and the later stages, which need it, do not run', async () => {
    const errors: unknown[] = [];
    const ran: number[] = [];
    const stages = runStagesWhenIdle([() => { throw new Error('no SDK'); }, () => { ran.push(2); }], (error) => errors.push(error));
    await stages.done;
    expect(errors.map((error) => (error as Error).message)).toEqual(['no SDK']);
    expect(ran).toEqual([]);
  });

  it('stops counting the app\'s work once the stages are done', async () => {
    const stages = runStagesWhenIdle([() => undefined], () => undefined);
    await stages.done;
    appWorkBegan();
    const ran: number[] = [];
    await runStagesWhenIdle([() => { ran.push(1); }], () => undefined).done;
    expect(ran).toEqual([1]);
  });
});
