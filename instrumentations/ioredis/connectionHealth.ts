/**
 * Connection state per Redis server, for `/healthz`: the status ioredis gives
 * each of the app's clients, connection errors, commands that failed without
 * an answer from Redis, reconnects, and whether the server is answering now.
 *
 * Clients are held weakly (a WeakMap entry and a WeakRef each): a client the
 * app drops is collected as it would be without the agent, and forgotten.
 * Servers are capped; past the cap they share one `other` entry. A server
 * with no live client and nothing failed in the last minute is forgotten, so
 * short-lived targets do not fill the cap.
 */
import { epochMsAt, monotonicMs } from '../../core/monotonicClock';
import { serverName } from './attributes';
import type { RedisClientLike, RedisTarget } from './types';

const MAX_SERVERS = 64;
/** Past this many live clients of one server, more are counted on the server but not tracked one by one. */
const MAX_CLIENTS_PER_SERVER = 1024;
const OTHER_SERVER = 'other';
/** How far back "recent" reaches: the per-minute counts, and a failure that still makes a server unhealthy. */
const RECENT_MS = 60_000;
const SECOND_MS = 1000;
const SLOTS = RECENT_MS / SECOND_MS;

/**
 * Statuses a live client is in when it cannot serve commands and will not
 * until a reconnect succeeds; `end` without the app closing it means ioredis
 * gave up (its retryStrategy returned no delay).
 */
const DISCONNECTED = new Set(['close', 'reconnecting', 'end']);
/** From most to least healthy, for the one status shown per server; a status ioredis adds later ranks with `connecting`. */
const STATUS_RANK: Readonly<Record<string, number>> = { ready: 0, monitoring: 0, wait: 1, connect: 2, connecting: 2, close: 3, reconnecting: 4, end: 5 };
const UNKNOWN_RANK = 2;

/** Failures of one kind: how many, and the latest. */
export interface RedisFailures {
  readonly lastMinute: number;
  readonly total: number;
  /** The latest one's error type (`ECONNREFUSED`, `MaxRetriesPerRequestError`, …) and time (ISO 8601). */
  readonly last?: { readonly type: string; readonly at: string };
}

export interface RedisServerHealth {
  /** `host:port`, a Unix socket path, `cluster` (a Cluster as a whole), or `other` past the cap. */
  readonly server: string;
  readonly healthy: boolean;
  /** The least healthy status among the app's live clients, as ioredis names it; `none` without one. */
  readonly status: string;
  /** Live clients, not counting those the app is closing or has closed. */
  readonly clients: number;
  /** The clients' `error` events: the connection failed, was reset, timed out, or its set-up was refused. */
  readonly connectionErrors: RedisFailures;
  /** Commands that failed without an answer from Redis (timeout, closed connection, retries exhausted); an error reply is an answer. */
  readonly unansweredCommands: RedisFailures;
  readonly reconnects: number;
  /** ISO 8601: the last time a client of this server became ready. */
  readonly lastReadyAt?: string;
}

/** Failures in the last minute, in one-second slots (bounded whatever the rate), and the latest one. */
class FailureCount {
  total = 0;
  /** `at`: monotonicMs(). */
  last: { readonly type: string; readonly at: number } | undefined;
  private readonly counts = new Array<number>(SLOTS).fill(0);
  private readonly seconds = new Array<number>(SLOTS).fill(-1);

  add(type: string, now: number): void {
    const second = Math.floor(now / SECOND_MS);
    const slot = second % SLOTS;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.counts[slot] = 0;
    }
    this.counts[slot] += 1;
    this.total += 1;
    this.last = { type, at: now };
  }

  /** monotonicMs() of the latest failure, or -Infinity. */
  get lastAt(): number {
    return this.last?.at ?? Number.NEGATIVE_INFINITY;
  }

  view(now: number): RedisFailures {
    const oldest = Math.floor(now / SECOND_MS) - SLOTS;
    let lastMinute = 0;
    for (let slot = 0; slot < SLOTS; slot += 1) if (this.seconds[slot] > oldest) lastMinute += this.counts[slot];
    const last = this.last === undefined ? {} : { last: { type: this.last.type, at: isoTime(this.last.at) } };
    return { lastMinute, total: this.total, ...last };
  }
}

interface ServerState {
  readonly name: string;
  readonly clients: Set<TrackedClient>;
  readonly connectionErrors: FailureCount;
  readonly unanswered: FailureCount;
  reconnects: number;
  /** monotonicMs() */
  lastReadyAt: number | undefined;
}

interface TrackedClient {
  readonly ref: WeakRef<RedisClientLike>;
  readonly server: ServerState;
  /** Set when the connection closed while the app was closing the client (ioredis clears its own flag before `end`). */
  closedByApp: boolean;
}

function isoTime(monotonic: number): string {
  return new Date(epochMsAt(monotonic)).toISOString();
}

function lastFailureAt(server: ServerState): number {
  return Math.max(server.connectionErrors.lastAt, server.unanswered.lastAt);
}

function worstStatus(statuses: readonly string[]): string {
  if (statuses.length === 0) return 'none';
  const rank = (status: string): number => STATUS_RANK[status] ?? UNKNOWN_RANK;
  return statuses.reduce((worst, status) => (rank(status) > rank(worst) ? status : worst));
}

export class RedisConnections {
  private readonly servers = new Map<string, ServerState>();
  private readonly byClient = new WeakMap<RedisClientLike, TrackedClient>();
  private readonly finalizer = new FinalizationRegistry<TrackedClient>((tracked) => tracked.server.clients.delete(tracked));

  statusChanged(client: RedisClientLike, target: RedisTarget, status: unknown): void {
    if (typeof status !== 'string') return;
    const tracked = this.track(client, target);
    const server = tracked?.server ?? this.serverFor(target);
    if (status === 'ready') server.lastReadyAt = monotonicMs();
    if (status === 'reconnecting') server.reconnects += 1;
    if (!tracked) return;
    if (status === 'connecting') tracked.closedByApp = false;
    if (status === 'close') tracked.closedByApp = client.manuallyClosing === true;
    if (status === 'end' && tracked.closedByApp) this.untrack(client, tracked);
  }

  connectionError(client: RedisClientLike, target: RedisTarget, type: string): void {
    const server = this.track(client, target)?.server ?? this.serverFor(target);
    server.connectionErrors.add(type, monotonicMs());
  }

  /** A command that failed without an answer from Redis. */
  commandUnanswered(target: RedisTarget, type: string): void {
    this.serverFor(target).unanswered.add(type, monotonicMs());
  }

  /**
   * Every server seen, worst first. `lastAnswered` gives, per server name,
   * when a command to it last got an answer (monotonicMs()).
   */
  snapshot(lastAnswered: ReadonlyMap<string, number>): RedisServerHealth[] {
    const now = monotonicMs();
    const health: RedisServerHealth[] = [];
    for (const server of this.servers.values()) {
      const statuses = this.liveStatuses(server);
      if (statuses.length === 0 && !this.failedRecently(server, now)) {
        if (server.clients.size === 0) this.servers.delete(server.name);
        continue;
      }
      health.push(this.serverHealth(server, statuses, lastAnswered.get(server.name), now));
    }
    return health.sort((a, b) => Number(a.healthy) - Number(b.healthy) || a.server.localeCompare(b.server));
  }

  private serverHealth(server: ServerState, statuses: readonly string[], lastAnswered: number | undefined, now: number): RedisServerHealth {
    const disconnected = statuses.some((status) => DISCONNECTED.has(status));
    const failedAt = lastFailureAt(server);
    const answeredAt = Math.max(lastAnswered ?? Number.NEGATIVE_INFINITY, server.lastReadyAt ?? Number.NEGATIVE_INFINITY);
    // Failing: the latest outcome, within the last minute, is a failure, and the app still holds a client.
    const failing = statuses.length > 0 && now - failedAt < RECENT_MS && failedAt > answeredAt;
    return {
      server: server.name,
      healthy: !disconnected && !failing,
      status: worstStatus(statuses),
      clients: statuses.length,
      connectionErrors: server.connectionErrors.view(now),
      unansweredCommands: server.unanswered.view(now),
      reconnects: server.reconnects,
      ...(server.lastReadyAt === undefined ? {} : { lastReadyAt: isoTime(server.lastReadyAt) }),
    };
  }

  /** Statuses of the live clients the app is not closing. */
  private liveStatuses(server: ServerState): string[] {
    const statuses: string[] = [];
    for (const tracked of server.clients) {
      const client = tracked.ref.deref();
      if (client === undefined || tracked.closedByApp || client.manuallyClosing === true) continue;
      statuses.push(client.status ?? 'none');
    }
    return statuses;
  }

  private failedRecently(server: ServerState, now: number): boolean {
    return now - lastFailureAt(server) < RECENT_MS;
  }

  private track(client: RedisClientLike, target: RedisTarget): TrackedClient | undefined {
    const known = this.byClient.get(client);
    if (known) return known;
    const server = this.serverFor(target);
    if (server.clients.size >= MAX_CLIENTS_PER_SERVER) return undefined;
    const tracked: TrackedClient = { ref: new WeakRef(client), server, closedByApp: false };
    server.clients.add(tracked);
    this.byClient.set(client, tracked);
    this.finalizer.register(client, tracked, tracked);
    return tracked;
  }

  /** A client the app closed is no connection of the app's any more; it is tracked again if it connects again. */
  private untrack(client: RedisClientLike, tracked: TrackedClient): void {
    tracked.server.clients.delete(tracked);
    this.byClient.delete(client);
    this.finalizer.unregister(tracked);
  }

  private serverFor(target: RedisTarget): ServerState {
    const wanted = serverName(target);
    const known = this.servers.get(wanted);
    if (known) return known;
    if (this.servers.size >= MAX_SERVERS) this.forgetIdleServers();
    const name = this.servers.size < MAX_SERVERS ? wanted : OTHER_SERVER;
    let server = this.servers.get(name);
    if (!server) {
      server = { name, clients: new Set(), connectionErrors: new FailureCount(), unanswered: new FailureCount(), reconnects: 0, lastReadyAt: undefined };
      this.servers.set(name, server);
    }
    return server;
  }

  private forgetIdleServers(): void {
    const now = monotonicMs();
    for (const server of this.servers.values()) {
      if (server.clients.size === 0 && !this.failedRecently(server, now)) this.servers.delete(server.name);
    }
  }
}
