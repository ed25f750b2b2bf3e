/**
 * The tiered cache's Redis circuit breaker as a state machine, on a clock the
 * test moves: when it opens, how long it stays open, the one probe of the
 * half-open state, and what closes it.
 */
import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../cache/circuitBreaker';
import type { BreakerState } from '../../instrumentations/cacheTelemetry/cacheStatistics';

function breaker() {
  let now = 1_000;
  const transitions: string[] = [];
  const subject = new CircuitBreaker({ failures: 3, windowMs: 1_000, cooldownMs: 500 },
    (to: BreakerState, from: BreakerState) => transitions.push(`${from}>${to}`), () => now);
  return { subject, transitions, advance: (ms: number) => { now += ms; } };
}

describe('circuit breaker', () => {
  it('opens after the configured consecutive failures within the window, and then refuses calls', () => {
    const { subject, transitions } = breaker();
    subject.failed();
    subject.failed();
    expect(subject.state).toBe('closed');
    expect(subject.allow()).toBe(true);
    subject.failed();
    expect(subject.state).toBe('open');
    expect(subject.allow()).toBe(false);
    expect(transitions).toEqual(['closed>open']);
  });

  it('a success resets the streak, and so does a streak older than the window', () => {
    const { subject, advance } = breaker();
    subject.failed();
    subject.failed();
    subject.succeeded();
    subject.failed();
    subject.failed();
    expect(subject.state).toBe('closed');
    advance(1_001);
    subject.failed();
    expect(subject.state).toBe('closed');
    subject.failed();
    subject.failed();
    expect(subject.state).toBe('open');
  });

  it('after the cooldown lets exactly one probe through; its success closes the breaker', () => {
    const { subject, transitions, advance } = breaker();
    for (let i = 0; i < 3; i += 1) subject.failed();
    advance(499);
    expect(subject.allow()).toBe(false);
    advance(1);
    expect(subject.allow()).toBe(true);
    expect(subject.state).toBe('half_open');
    expect(subject.allow()).toBe(false);
    subject.succeeded();
    expect(subject.state).toBe('closed');
    expect(subject.allow()).toBe(true);
    expect(transitions).toEqual(['closed>open', 'open>half_open', 'half_open>closed']);
  });

  it('a failed probe opens it for another full cooldown', () => {
    const { subject, transitions, advance } = breaker();
    for (let i = 0; i < 3; i += 1) subject.failed();
    advance(500);
    expect(subject.allow()).toBe(true);
    subject.failed();
    expect(subject.state).toBe('open');
    advance(499);
    expect(subject.allow()).toBe(false);
    advance(1);
    expect(subject.allow()).toBe(true);
    expect(transitions).toEqual(['closed>open', 'open>half_open', 'half_open>open', 'open>half_open']);
  });

  it('while open, late answers to calls made before the opening decide nothing', () => {
    const { subject } = breaker();
    for (let i = 0; i < 3; i += 1) subject.failed();
    subject.succeeded();
    expect(subject.state).toBe('open');
    subject.failed();
    expect(subject.state).toBe('open');
  });

  it('ends the cooldown when the client reconnects: the next call is the probe', () => {
    const { subject, transitions } = breaker();
    for (let i = 0; i < 3; i += 1) subject.failed();
    subject.endCooldown();
    expect(subject.state).toBe('half_open');
    expect(subject.allow()).toBe(true);
    expect(subject.allow()).toBe(false);
    subject.succeeded();
    subject.endCooldown();
    expect(transitions).toEqual(['closed>open', 'open>half_open', 'half_open>closed']);
  });
});
