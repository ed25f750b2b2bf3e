import { describe, expect, it } from 'vitest';
import {
  MAX_HELD_QUERY_EVENTS, addQueryObserver, droppedHeldQueryEvents, emitQueryEvent, hasQueryObservers, holdQueryEventsForFirstObserver,
  type QueryEvent,
} from '../../core/queryEvents';

function event(text: string): QueryEvent {
  return {
    analysis: { parsed: false } as unknown as QueryEvent['analysis'],
    text,
    values: undefined,
    durationSeconds: 0.001,
    rows: 1,
    errorCode: undefined,
    contextKey: undefined,
    traceId: undefined,
    endedAt: 0,
    server: { address: '127.0.0.1', port: 5432, database: 'test' },
  };
}

// One test: the module's state is the process's (vitest gives each file its own).
describe('query events before the recorder subscribes', () => {
  it('are held (bounded) for the first observer, which gets them in order, then events flow to it directly', () => {
    expect(hasQueryObservers()).toBe(false);
    holdQueryEventsForFirstObserver();
    // Capture builds events only when someone will read them.
    expect(hasQueryObservers()).toBe(true);
    for (let i = 0; i < MAX_HELD_QUERY_EVENTS + 3; i += 1) emitQueryEvent(event(`select ${i}`));
    expect(droppedHeldQueryEvents()).toBe(3);
    const seen: string[] = [];
    addQueryObserver({ onQuery: (received) => seen.push(received.text) });
    expect(seen).toHaveLength(MAX_HELD_QUERY_EVENTS);
    expect(seen.slice(0, 2)).toEqual(['select 0', 'select 1']);
    emitQueryEvent(event('select after'));
    expect(seen.at(-1)).toBe('select after');
    expect(seen).toHaveLength(MAX_HELD_QUERY_EVENTS + 1);
  });
});
