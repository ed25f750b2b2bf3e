import { describe, expect, it } from 'vitest';
import { otlpDestination, shouldPrintStartupLine, startupLine, type StartupFacts } from '../../agent/startupLine';

const FACTS: StartupFacts = {
  version: '1.2.3',
  pid: 42,
  host: '0.0.0.0',
  requestedPort: 9464,
  listeningPort: 9464,
  metricsExporter: 'prometheus',
  tracesExporter: 'none',
  metricsProtocol: 'http/protobuf',
  tracesProtocol: 'http/protobuf',
  env: {},
};

describe('startupLine', () => {
  it('gives a browsable address for an all-interfaces host', () => {
    expect(startupLine(FACTS)).toBe('querylens 1.2.3 (pid 42): listening on 0.0.0.0:9464, http://localhost:9464/metrics, /querylens, /healthz; metrics: prometheus; traces: none');
  });

  it('shows the port the server got when 0 was asked for, and brackets an IPv6 host', () => {
    expect(startupLine({ ...FACTS, host: '::1', requestedPort: 0, listeningPort: 40123 })).toContain('listening on ::1:40123, http://[::1]:40123/metrics');
  });

  it('leaves /metrics out when metrics are pushed, and says where OTLP goes without credentials', () => {
    const line = startupLine({
      ...FACTS,
      metricsExporter: 'otlp',
      tracesExporter: 'otlp',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://user:secret@collector:4318/', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/v1/traces' },
    });
    expect(line).toBe('querylens 1.2.3 (pid 42): listening on 0.0.0.0:9464, http://localhost:9464/querylens, /healthz; metrics: otlp http/protobuf to https://collector:4318/v1/metrics; traces: otlp http/protobuf to http://tempo:4318/v1/traces');
    expect(line).not.toContain('secret');
  });

  it('says when it could not serve', () => {
    expect(startupLine({ ...FACTS, listeningPort: undefined })).toBe('querylens 1.2.3 (pid 42): not serving (port 9464 on 0.0.0.0 could not be used); metrics: prometheus; traces: none');
  });
});

describe('otlpDestination', () => {
  it('defaults to the local collector', () => {
    expect(otlpDestination({}, 'metrics', 'http/protobuf')).toBe('http://localhost:4318/v1/metrics');
    expect(otlpDestination({}, 'traces', 'grpc')).toBe('http://localhost:4317/');
  });

  it('gives gRPC the general endpoint without a signal path, and names the protocol in the line', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317' };
    expect(otlpDestination(env, 'metrics', 'grpc')).toBe('http://collector:4317/');
    const line = startupLine({ ...FACTS, metricsExporter: 'otlp', metricsProtocol: 'grpc', env });
    expect(line).toContain('metrics: otlp grpc to http://collector:4317/; traces: none');
  });
});

describe('shouldPrintStartupLine', () => {
  it.each([
    ['on', false, true],
    ['off', true, false],
    ['auto', true, true],
    ['auto', false, false],
  ] as const)('%s with a terminal %s: %s', (setting, terminal, printed) => {
    expect(shouldPrintStartupLine(setting, terminal)).toBe(printed);
  });
});
