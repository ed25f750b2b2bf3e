/**
 * Capture reads the active span through core/otelApi.ts: nothing while the
 * process has none of the OpenTelemetry API's globals (every context is the
 * root then), the span once a context manager is registered.
 */
import { describe, expect, it } from 'vitest';
import { activeSpan, otelApiInUse } from '../../core/otelApi';

describe('the OpenTelemetry API as capture reads it', () => {
  it('is not used before the process registers one of its globals, and gives the active span after', async () => {
    expect(otelApiInUse()).toBeUndefined();
    expect(activeSpan()).toBeUndefined();

    const api = await import('@opentelemetry/api');
    const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
    const { TracerProvider } = await import('@opentelemetry/sdk-trace');
    expect(api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())).toBe(true);
    const span = new TracerProvider().getTracer('otel-api-test').startSpan('outer');
    try {
      expect(otelApiInUse()).toBeDefined();
      expect(activeSpan()).toBeUndefined();
      api.context.with(api.trace.setSpan(api.context.active(), span), () => {
        expect(activeSpan()).toBe(span);
      });
    } finally {
      span.end();
      api.context.disable();
    }
  });
});
