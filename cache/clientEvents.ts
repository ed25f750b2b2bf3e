/**
 * One listener per (client, event) for every tiered cache built on that
 * client: many caches on one ioredis client would otherwise pass Node's
 * default of ten listeners and print a MaxListenersExceededWarning into the
 * app's stderr.
 */
import type { Redis } from 'ioredis';
import { reportAgentError } from '../core/agentErrors';

export type ClientEvent = 'ready' | 'end';

const handlers = new WeakMap<Redis, Map<ClientEvent, Set<() => void>>>();

/** Calls `handler` on each `event` of `client`; returns the function that stops it. */
export function onClientEvent(client: Redis, event: ClientEvent, handler: () => void): () => void {
  let byEvent = handlers.get(client);
  if (byEvent === undefined) {
    byEvent = new Map();
    handlers.set(client, byEvent);
  }
  let set = byEvent.get(event);
  if (set === undefined) {
    const created = new Set<() => void>();
    set = created;
    byEvent.set(event, created);
    client.on(event, () => {
      for (const each of [...created]) {
        try {
          each();
        } catch (error) {
          reportAgentError('tiered-cache', error);
        }
      }
    });
  }
  set.add(handler);
  return () => set.delete(handler);
}
