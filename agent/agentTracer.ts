/**
 * The tracer for the spans querylens makes itself (cache loads), from the
 * agent's private tracer provider. Taking it from the global API instead
 * would hand these spans to whatever SDK the app registers.
 */
import { ProxyTracerProvider, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { QUERYLENS_SCOPE } from './metrics/registry';
import { AGENT_VERSION } from './version';

// Until the agent starts (or when it makes no spans), a provider with no delegate: no-op tracers.
let provider: TracerProvider = new ProxyTracerProvider();

export function useAgentTracerProvider(next: TracerProvider): void {
  provider = next;
}

export function agentTracer(): Tracer {
  return provider.getTracer(QUERYLENS_SCOPE, AGENT_VERSION);
}
