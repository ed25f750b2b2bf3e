/**
 * One pub/sub connection per ioredis client, duplicated from it and shared by
 * every tiered cache built on that client (each listens on its own channel),
 * so caches do not each hold a Redis connection.
 *
 * It never keeps the process alive by itself: its socket is unref'd, and it
 * is disconnected when the user's client ends or its last listener leaves.
 */
import type { Redis } from 'ioredis';
import { reportAgentError } from '../core/agentErrors';
import { onClientEvent } from './clientEvents';

export interface ChannelListener {
  onMessage(text: string): void;
  /** The connection came back: messages sent meanwhile were missed. */
  onResubscribed(): void;
  onError(): void;
}

interface Shared {
  readonly subscriber: Redis;
  readonly listeners: Map<string, Set<ChannelListener>>;
  readonly stopOnEnd: () => void;
}

const sharedByClient = new WeakMap<Redis, Shared>();

function each(shared: Shared, call: (listener: ChannelListener) => void, channel?: string): void {
  const sets = channel === undefined ? [...shared.listeners.values()] : [shared.listeners.get(channel) ?? new Set<ChannelListener>()];
  for (const set of sets) {
    for (const listener of [...set]) {
      try {
        call(listener);
      } catch (error) {
        reportAgentError('tiered-cache', error);
      }
    }
  }
}

function unrefSocket(subscriber: Redis): void {
  const stream = (subscriber as { stream?: { unref?: () => void } }).stream;
  stream?.unref?.();
}

function close(client: Redis, shared: Shared): void {
  if (sharedByClient.get(client) !== shared) return;
  sharedByClient.delete(client);
  shared.stopOnEnd();
  // disconnect, not quit: quit would wait for a Redis that may be down.
  shared.subscriber.disconnect();
}

function open(client: Redis): Shared {
  const subscriber = client.duplicate();
  const listeners = new Map<string, Set<ChannelListener>>();
  let readyBefore = false;
  const shared: Shared = { subscriber, listeners, stopOnEnd: onClientEvent(client, 'end', () => close(client, shared)) };
  subscriber.on('error', () => each(shared, (listener) => listener.onError()));
  subscriber.on('connect', () => unrefSocket(subscriber));
  subscriber.on('ready', () => {
    if (readyBefore) each(shared, (listener) => listener.onResubscribed());
    readyBefore = true;
  });
  subscriber.on('message', (channel: string, text: string) => each(shared, (listener) => listener.onMessage(text), channel));
  sharedByClient.set(client, shared);
  return shared;
}

/** Listens on `channel` over the client's shared subscriber; returns the function that stops listening. */
export function listen(client: Redis, channel: string, listener: ChannelListener): () => void {
  const shared = sharedByClient.get(client) ?? open(client);
  let set = shared.listeners.get(channel);
  if (set === undefined) {
    set = new Set();
    shared.listeners.set(channel, set);
    shared.subscriber.subscribe(channel).catch(() => listener.onError());
  }
  set.add(listener);
  return () => {
    const current = shared.listeners.get(channel);
    if (current === undefined || !current.delete(listener) || current.size > 0) return;
    shared.listeners.delete(channel);
    if (shared.listeners.size === 0) close(client, shared);
    else shared.subscriber.unsubscribe(channel).catch(() => listener.onError());
  };
}
