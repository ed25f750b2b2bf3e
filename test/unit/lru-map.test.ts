/** LruMap: exact least-recently-used order, bounded, and the oldest entry handed back for reuse. */
import { describe, expect, it } from 'vitest';
import { LruMap } from '../../core/lruMap';

describe('LruMap', () => {
  it('forgets the least recently used key past its capacity', () => {
    const map = new LruMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.get('a');
    map.set('c', 3);
    expect([...map.entriesInOrder()]).toEqual([['a', 1], ['c', 3]]);
  });

  it('takeOldest removes and answers the least recently used entry, and nothing when empty', () => {
    const map = new LruMap<string, number>(3);
    map.set('a', 1);
    map.set('b', 2);
    map.get('a');
    expect(map.takeOldest()).toEqual(['b', 2]);
    expect(map.takeOldest()).toEqual(['a', 1]);
    expect(map.size).toBe(0);
    expect(map.takeOldest()).toBeUndefined();
    map.set('c', 3);
    expect(map.get('c')).toBe(3);
  });
});
