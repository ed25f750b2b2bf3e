/**
 * Carries deletes and tag invalidations between instances of one tiered
 * cache (same name, same Redis) over pub/sub, on the client's shared
 * subscriber connection (sharedSubscriber.ts).
 *
 * Messages missed while that connection was down cannot be replayed, so
 * after a reconnection `onResubscribed` tells the cache to drop its memory
 * layer.
 */
import type { Redis } from 'ioredis';
import type { CacheCounters } from '../instrumentations/cacheTelemetry/cacheStatistics';
import { listen } from './sharedSubscriber';

export interface Invalidation {
  readonly keys?: readonly string[];
  readonly tag?: string;
}

interface WireMessage {
  /** Sender instance; an instance ignores its own messages. */
  readonly o: string;
  readonly k?: readonly string[];
  readonly t?: string;
}

export function encodeInvalidation(origin: string, invalidation: Invalidation): string {
  const message: WireMessage = { o: origin, k: invalidation.keys, t: invalidation.tag };
  return JSON.stringify(message);
}

/** The invalidation in a message from another instance; undefined for our own or malformed messages. */
export function decodeInvalidation(text: string, self: string): Invalidation | undefined {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof message !== 'object' || message === null) return undefined;
  const { o, k, t } = message as Partial<Record<keyof WireMessage, unknown>>;
  if (typeof o !== 'string' || o === self) return undefined;
  const keys = Array.isArray(k) && k.every((key) => typeof key === 'string') ? k as string[] : undefined;
  const tag = typeof t === 'string' ? t : undefined;
  return keys === undefined && tag === undefined ? undefined : { keys, tag };
}

export interface InvalidationBusOptions {
  readonly client: Redis;
  readonly channel: string;
  readonly self: string;
  readonly counters: CacheCounters;
  readonly onInvalidation: (invalidation: Invalidation) => void;
  readonly onResubscribed: () => void;
}

export class InvalidationBus {
  readonly #stopListening: () => void;

  constructor(options: InvalidationBusOptions) {
    const { client, channel, self, counters } = options;
    this.#stopListening = listen(client, channel, {
      onMessage: (text) => {
        const invalidation = decodeInvalidation(text, self);
        if (invalidation !== undefined) options.onInvalidation(invalidation);
      },
      onResubscribed: options.onResubscribed,
      onError: () => { counters.errors += 1; },
    });
  }

  close(): void {
    this.#stopListening();
  }
}
