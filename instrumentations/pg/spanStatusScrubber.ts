/**
 * The upstream pg instrumentation copies the PostgreSQL error message into
 * the span status, and PostgreSQL echoes offending values there (`invalid
 * input syntax for type integer: "…"`). This processor drops the message of
 * pg spans before they end; the SQLSTATE stays in the span's attributes and
 * the sanitized exception event.
 */
import { SpanStatusCode, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

export class PgSpanStatusScrubber implements SpanProcessor {
  constructor(private readonly scopeName: string) {}

  onStart(_span: Span, _parentContext: Context): void {}

  onEnding(span: Span): void {
    if (span.instrumentationScope.name === this.scopeName && span.status.code === SpanStatusCode.ERROR && span.status.message !== undefined) {
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
