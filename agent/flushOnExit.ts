/**
 * Pushed telemetry (OTLP) is exported on a timer and in batches, and those
 * timers are unref'd so they never keep the app alive; a process that ends on
 * its own would then lose its last interval of metrics and spans. When the
 * event loop runs dry (`beforeExit`) the agent flushes once: the export's
 * request keeps the process up until it is answered, refused, or times out
 * (`OTEL_EXPORTER_OTLP_TIMEOUT`, 10 s by default), then the process exits.
 *
 * Not covered, by nature: `process.exit()` and fatal signals end the process
 * without `beforeExit`; the last interval is lost there.
 */
import { reportAgentError } from '../core/agentErrors';

interface Flushable {
  forceFlush(): Promise<void>;
}

/**
 * Call once, after the agent's providers have started. `recordPending`
 * finishes what the agent still owes the last export (statements waiting for
 * the SQL parser).
 */
export function flushPushedTelemetryBeforeExit(telemetry: Flushable, recordPending: () => Promise<void>): void {
  process.once('beforeExit', () => {
    recordPending().then(() => telemetry.forceFlush()).catch((error: unknown) => reportAgentError('otlp-flush', error));
  });
}
