/**
 * The upstream pg instrumentation's scope name, in a module of its own: the
 * SDK's views and span processors name it without loading that
 * instrumentation, which only traces need.
 */
export const UPSTREAM_PG_SCOPE = '@opentelemetry/instrumentation-pg';
