/**
 * Carries deletes and tag invalidations between instances of one tiered
 * cache (same name, same Redis) over pub/sub, on a subscriber connection
 * duplicated from the user's client.
 *
 * The subscriber never keeps the process alive by itself: its socket is
 * unref'd, and it is closed when the user's client ends or on `close()`.
 * Messages missed while it was disconnected cannot be replayed, so after a
 * reconnection `onResubscribed` tells the cache to drop its memory layer.
 */
import type { Redis } from 'ioredis';
import { reportAgentError } from '../../agent/agentErrors';
import type { CacheCounters } from './cacheStatistics';
import { onClientEvent } from './clientEvents';

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
  readonly #subscriber: Redis;
  readonly #stopClosingWithClient: () => void;
  #closed = false;

  constructor(options: InvalidationBusOptions) {
    const { client, channel, self, counters } = options;
    this.#subscriber = client.duplicate();
    let readyBefore = false;
    this.#subscriber.on('error', () => { counters.errors += 1; });
    this.#subscriber.on('connect', () => this.#unrefSocket());
    this.#subscriber.on('ready', () => {
      if (readyBefore) options.onResubscribed();
      readyBefore = true;
    });
    this.#subscriber.on('message', (from: string, text: string) => {
      if (from !== channel) return;
      const invalidation = decodeInvalidation(text, self);
      if (invalidation === undefined) return;
      try {
        options.onInvalidation(invalidation);
      } catch (error) {
        reportAgentError('tiered-cache', error);
      }
    });
    this.#subscriber.subscribe(channel).catch(() => { counters.errors += 1; });
    this.#stopClosingWithClient = onClientEvent(client, 'end', () => this.close());
  }

  #unrefSocket(): void {
    const stream = (this.#subscriber as { stream?: { unref?: () => void } }).stream;
    stream?.unref?.();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopClosingWithClient();
    // disconnect, not quit: quit would wait for a Redis that may be down.
    this.#subscriber.disconnect();
  }
}
