/**
 * Our method wrappers beside shimmer-based instrumentations, using the real
 * InstrumentationBase _wrap/_unwrap that the OpenTelemetry instrumentations use.
 */
import { InstrumentationBase, isWrapped } from '@opentelemetry/instrumentation';
import { describe, expect, it } from 'vitest';
import { beneathOwn, isOwnWrapper, unwrapOwn, wrapOwn } from '../../core/ownWrapper';

type Method = (this: unknown, ...args: unknown[]) => unknown;

/** An upstream-style instrumentation: "unwrap whatever is wrapped, then wrap" (as instrumentation-pg and -ioredis do). */
class UpstreamStyle extends InstrumentationBase {
  constructor() {
    super('upstream-style', '1.0.0', { enabled: false });
  }
  protected init() {
    return [];
  }
  patch(target: { call: Method }, calls: string[], label: string): void {
    if (isWrapped(target.call)) this._unwrap(target, 'call');
    this._wrap(target, 'call', (original: Method) => function (this: unknown, ...args: unknown[]) {
      calls.push(label);
      return original.apply(this, args);
    });
  }
}

function target(calls: string[]): { call: Method } {
  return { call: () => { calls.push('original'); return 42; } };
}

function ours(calls: string[]) {
  return (original: Method): Method => function (this: unknown, ...args: unknown[]) {
    calls.push('querylens');
    return original.apply(this, args);
  };
}

describe('wrapOwn', () => {
  it('an instrumentation that wraps twice, with ours between, runs once per call (pg loading: client.js, then main)', () => {
    const calls: string[] = [];
    const pg = target(calls);
    const upstream = new UpstreamStyle();
    upstream.patch(pg, calls, 'upstream');
    wrapOwn(pg, 'call', ours(calls));
    upstream.patch(pg, calls, 'upstream');
    expect(pg.call()).toBe(42);
    expect(calls).toEqual(['upstream', 'querylens', 'original']);
  });

  it('an instrumentation that unwraps before wrapping leaves ours in place (ioredis)', () => {
    const calls: string[] = [];
    const redis = target(calls);
    wrapOwn(redis, 'call', ours(calls));
    new UpstreamStyle().patch(redis, calls, 'upstream');
    redis.call();
    expect(calls).toEqual(['upstream', 'querylens', 'original']);
  });

  it('keepBeneath keeps the wrapper beneath ours (querylens\' own spans)', () => {
    const calls: string[] = [];
    const pg = target(calls);
    new UpstreamStyle().patch(pg, calls, 'own spans');
    wrapOwn(pg, 'call', ours(calls), { keepBeneath: true });
    new UpstreamStyle().patch(pg, calls, 'app');
    pg.call();
    expect(calls).toEqual(['app', 'querylens', 'own spans', 'original']);
  });

  it('unwrapOwn removes ours when it is outermost, and only ours', () => {
    const calls: string[] = [];
    const client = target(calls);
    const original = client.call;
    wrapOwn(client, 'call', ours(calls));
    expect(isOwnWrapper(client.call)).toBe(true);
    expect(beneathOwn(client.call)).toBe(original);
    unwrapOwn(client, 'call');
    expect(client.call).toBe(original);
    unwrapOwn(client, 'call');
    expect(client.call).toBe(original);
  });
});
