'use strict';
// The upstream OpenTelemetry setup a team would write today: NodeSDK with the
// contrib pg and ioredis instrumentations and the Prometheus exporter. Traces
// use the SDK's defaults unless OTEL_TRACES_EXPORTER says otherwise.
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus');
const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg');
const { IORedisInstrumentation } = require('@opentelemetry/instrumentation-ioredis');

new NodeSDK({
  metricReaders: [new PrometheusExporter({ port: Number(process.env.OTEL_EXPORTER_PROMETHEUS_PORT || 9464) })],
  instrumentations: [new PgInstrumentation(), new IORedisInstrumentation()],
}).start();
