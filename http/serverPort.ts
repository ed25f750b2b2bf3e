/**
 * Where the agent server listens when one app runs as several processes.
 *
 * In a Node `cluster` worker, `listen(9464)` does not fail: the primary owns
 * the socket and hands each scrape to a different worker in turn, so
 * Prometheus would read a random worker's counters on every scrape. So every
 * process of a multi-process app gets a port of its own:
 *
 * - PM2 (and anything that sets `NODE_APP_INSTANCE`, fork or cluster mode):
 *   `base + instance`. PM2 gives a restarted instance its old number back, so
 *   the port is stable and a static scrape config lists `base … base + n - 1`.
 * - A plain `cluster` worker: the first free port of `base + 1 … base + MAX_WORKER_SLOTS`
 *   (the primary, when it runs the agent too, keeps `base`). Worker ids grow on
 *   every respawn, so they are not used as offsets: a respawned worker takes the
 *   slot its predecessor freed, and the scrape config stays a fixed range.
 * - Anything else: `base`, as before.
 *
 * Listening is `exclusive` in workers, so the socket is the worker's own and a
 * taken port shows as EADDRINUSE instead of being shared through the primary.
 */
import cluster from 'node:cluster';

/** Cluster workers per host the slot search covers (ports base+1 … base+64). */
export const MAX_WORKER_SLOTS = 64;
const MAX_PORT = 65535;

export interface ServerPlacement {
  readonly port: number;
  /** Ports to try in order when `port` is taken. */
  readonly alternatePorts: readonly number[];
  /** Bind a socket of this process's own (not shared through the cluster primary). */
  readonly exclusive: boolean;
}

export interface ProcessRole {
  readonly isClusterWorker: boolean;
  /** `NODE_APP_INSTANCE` as set by PM2, when it is a non-negative integer. */
  readonly appInstance: number | undefined;
}

export function currentProcessRole(env: Readonly<Record<string, string | undefined>>): ProcessRole {
  const raw = env.NODE_APP_INSTANCE?.trim();
  const appInstance = raw !== undefined && /^\d{1,5}$/.test(raw) ? Number(raw) : undefined;
  return { isClusterWorker: cluster.isWorker, appInstance };
}

export function serverPlacement(basePort: number, role: ProcessRole): ServerPlacement {
  const exclusive = role.isClusterWorker;
  // Port 0 asks the OS for a free port: already distinct per process.
  if (basePort === 0) return { port: 0, alternatePorts: [], exclusive };
  if (role.appInstance !== undefined && basePort + role.appInstance <= MAX_PORT) {
    return { port: basePort + role.appInstance, alternatePorts: [], exclusive };
  }
  if (role.isClusterWorker && basePort + 1 <= MAX_PORT) {
    const last = Math.min(basePort + MAX_WORKER_SLOTS, MAX_PORT);
    const slots = Array.from({ length: last - basePort }, (_, index) => basePort + 1 + index);
    return { port: slots[0], alternatePorts: slots.slice(1), exclusive };
  }
  // A single process, or an offset past the last port: the base port (a clash then warns once).
  return { port: basePort, alternatePorts: [], exclusive };
}
