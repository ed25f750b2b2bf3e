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
import { metrics, trace } from '@opentelemetry/api';
import { reportAgentError } from '../core/agentErrors';

interface Flushable {
  forceFlush(): Promise<void>;
}

function isFlushable(provider: unknown): provider is Flushable {
  return typeof provider === 'object' && provider !== null && typeof (provider as Partial<Flushable>).forceFlush === 'function';
}

/** The SDK providers behind the API's globals (the tracer provider sits behind a proxy). */
function sdkProviders(): unknown[] {
  const tracerProvider: unknown = trace.getTracerProvider();
  const tracerDelegate = typeof tracerProvider === 'object' && tracerProvider !== null && 'getDelegate' in tracerProvider
    && typeof tracerProvider.getDelegate === 'function'
    ? (tracerProvider.getDelegate as () => unknown).call(tracerProvider)
    : tracerProvider;
  return [metrics.getMeterProvider(), tracerDelegate];
}

async function flushAll(): Promise<void> {
  await Promise.all(sdkProviders().filter(isFlushable).map((provider) => provider.forceFlush().catch((error: unknown) => {
    reportAgentError('otlp-flush', error);
  })));
}

/** Call once, after the SDK has started. */
export function flushPushedTelemetryBeforeExit(): void {
  process.once('beforeExit', () => {
    flushAll().catch((error: unknown) => reportAgentError('otlp-flush', error));
  });
}
