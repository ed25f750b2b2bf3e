/**
 * When the app fails to listen on the port the agent serves on, Node's error
 * (`EADDRINUSE :::9464`) does not say who holds it: the same process does.
 * Node publishes every failed `listen()` on a diagnostics channel; the agent
 * listens there and adds one line naming itself. Subscribing to that channel
 * only observes: the app's server still gets its own `error` event, unchanged.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { Server } from 'node:net';
import { reportAgentError } from '../core/agentErrors';

const LISTEN_ERROR_CHANNEL = 'tracing:net.server.listen:error';

interface ListenError {
  readonly server?: unknown;
  readonly error?: { readonly code?: unknown; readonly port?: unknown };
}

export function portHeldLine(port: number): string {
  return `querylens: port ${port} is held by the querylens agent in this same process; move the app to another port, or the agent with OTEL_EXPORTER_PROMETHEUS_PORT`;
}

/** Says once, on the app's first failed listen on the agent's port, that the agent holds it. */
export function explainPortClashes(agentServer: Server, port: number, warn: (line: string) => void): void {
  let said = false;
  subscribe(LISTEN_ERROR_CHANNEL, (message) => {
    // A subscriber that throws becomes the app's uncaught exception.
    try {
      const { server, error } = (message ?? {}) as ListenError;
      if (said || server === agentServer || error?.code !== 'EADDRINUSE' || error.port !== port) return;
      said = true;
      warn(portHeldLine(port));
    } catch (failure) {
      reportAgentError('server', failure);
    }
  });
}
