/**
 * The tiered cache's circuit breaker on its Redis layer. Each Redis call is
 * already bounded by `redisTimeoutMs`, but a Redis that is down or frozen would
 * still cost every lookup that wait (and each `get` several calls). After
 * `failures` consecutive failures within `windowMs` the breaker opens: Redis
 * is skipped at once, the cache answers from memory and the loader. After
 * `cooldownMs` one call goes through as a probe (half-open); its success closes
 * the breaker, its failure opens it for another cooldown.
 */
import type { BreakerState } from '../instrumentations/cacheTelemetry/cacheStatistics';

export interface BreakerSettings {
  /** Consecutive failures (errors or timeouts) that open the breaker. */
  readonly failures: number;
  /** The failures must fall within this window; an older streak starts over. */
  readonly windowMs: number;
  /** How long it stays open before one probe is let through. */
  readonly cooldownMs: number;
}

export const DEFAULT_BREAKER: BreakerSettings = { failures: 5, windowMs: 10_000, cooldownMs: 5_000 };

export class CircuitBreaker {
  #state: BreakerState = 'closed';
  #streak = 0;
  #streakStartedAt = 0;
  #openedAt = 0;
  #probing = false;

  constructor(
    private readonly settings: BreakerSettings,
    private readonly onTransition: (to: BreakerState, from: BreakerState) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): BreakerState {
    return this.#state;
  }

  /** Whether a call may go to Redis now; past the cooldown the first caller is the probe and the others wait for its verdict. */
  allow(): boolean {
    if (this.#state === 'closed') return true;
    if (this.#state === 'open') {
      if (this.now() - this.#openedAt < this.settings.cooldownMs) return false;
      this.#move('half_open');
    }
    if (this.#probing) return false;
    this.#probing = true;
    return true;
  }

  /** The client reconnected: the cooldown ends now, and the next call is the probe. */
  endCooldown(): void {
    if (this.#state === 'open') this.#move('half_open');
  }

  /** A call answered. While open, a late answer to a call made before the opening decides nothing: the probe does. */
  succeeded(): void {
    if (this.#state === 'open') return;
    this.#streak = 0;
    this.#probing = false;
    if (this.#state === 'half_open') this.#move('closed');
  }

  failed(): void {
    if (this.#state === 'open') return;
    this.#probing = false;
    if (this.#state === 'half_open') {
      this.#open();
      return;
    }
    const now = this.now();
    if (this.#streak === 0 || now - this.#streakStartedAt > this.settings.windowMs) {
      this.#streak = 0;
      this.#streakStartedAt = now;
    }
    this.#streak += 1;
    if (this.#streak >= this.settings.failures) this.#open();
  }

  #open(): void {
    this.#streak = 0;
    this.#openedAt = this.now();
    this.#move('open');
  }

  #move(to: BreakerState): void {
    const from = this.#state;
    this.#state = to;
    this.onTransition(to, from);
  }
}
