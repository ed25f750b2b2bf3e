import { describe, expect, it } from 'vitest';
import { DEFAULTS, readConfig } from '../../agent/config';

function read(env: Record<string, string>) {
  const warnings: string[] = [];
  const config = readConfig(env, (line) => warnings.push(line));
  return { config, warnings };
}

describe('readConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    const { config, warnings } = read({});
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({
      disabled: false,
      serviceName: undefined,
      prometheusHost: DEFAULTS.prometheusHost,
      prometheusPort: 9464,
      tracesExporter: 'none',
      metricsExporter: 'prometheus',
      slowQueryMs: 500,
      nPlusOneThreshold: 5,
      nPlusOneMinMs: 50,
      maxQueries: 200,
      explain: true,
      indexAdvisor: 'auto',
      indexAdvisorMinRows: 10_000,
      sqlcommenter: false,
      slowQueryLog: 'off',
    });
  });

  it('reads valid values, trimming and ignoring case where it is a choice', () => {
    const { config, warnings } = read({
      OTEL_SDK_DISABLED: 'TRUE',
      OTEL_SERVICE_NAME: ' orders ',
      OTEL_EXPORTER_PROMETHEUS_PORT: '9500',
      OTEL_TRACES_EXPORTER: 'OTLP',
      QUERYLENS_SLOW_QUERY_MS: '250',
      QUERYLENS_N_PLUS_ONE_MIN_MS: '0',
      QUERYLENS_RULES: '-select-star, -large-offset',
      QUERYLENS_SQLCOMMENTER: 'on',
      QUERYLENS_INDEX_ADVISOR: 'HypoPG',
      QUERYLENS_INDEX_ADVISOR_MIN_ROWS: '50000',
    });
    expect(warnings).toEqual([]);
    expect(config.disabled).toBe(true);
    expect(config.serviceName).toBe('orders');
    expect(config.prometheusPort).toBe(9500);
    expect(config.tracesExporter).toBe('otlp');
    expect(config.slowQueryMs).toBe(250);
    expect(config.nPlusOneMinMs).toBe(0);
    expect([...config.disabledRules]).toEqual(['select-star', 'large-offset']);
    expect(config.sqlcommenter).toBe(true);
    expect(config.indexAdvisor).toBe('hypopg');
    expect(config.indexAdvisorMinRows).toBe(50_000);
  });

  it.each([
    ['OTEL_EXPORTER_PROMETHEUS_PORT', '99999', 'an integer from 0 to 65535', '9464'],
    ['QUERYLENS_SLOW_QUERY_MS', '-5', 'an integer from 1 to 3600000', '500'],
    ['QUERYLENS_N_PLUS_ONE', '1.5', 'an integer from 2 to 10000', '5'],
    ['QUERYLENS_N_PLUS_ONE_MIN_MS', '20ms', 'an integer from 0 to 3600000', '50'],
    ['OTEL_SDK_DISABLED', 'maybe', 'true/false, on/off, 1/0', 'false'],
    ['OTEL_METRICS_EXPORTER', 'statsd', 'prometheus, otlp, none', '"prometheus"'],
    ['QUERYLENS_INDEX_ADVISOR', 'dexter', 'auto, hypopg, off', '"auto"'],
    ['QUERYLENS_INDEX_ADVISOR_MIN_ROWS', 'many', 'an integer from 0 to 1000000000', '10000'],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'http', 'http/protobuf, grpc, http/json', '"http/protobuf"'],
    ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'thrift', 'http/protobuf, grpc, http/json', '"http/protobuf"'],
    ['OTEL_METRIC_EXPORT_INTERVAL', '15s', 'an integer from 1 to 86400000', '60000'],
    ['OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE', 'sometimes', 'cumulative, delta, lowmemory', '"cumulative"'],
  ])('%s=%s gives one line naming variable, value, accepted values and default', (name, value, accepted, fallback) => {
    const { warnings } = read({ [name]: value });
    expect(warnings).toEqual([`querylens: ${name}=${JSON.stringify(value)} is not valid (accepted: ${accepted}); using the default ${fallback}`]);
  });

  it('sends OTLP as http/protobuf, cumulative, unless told otherwise (the specification\'s defaults)', () => {
    const { config, warnings } = read({});
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({ tracesProtocol: 'http/protobuf', metricsProtocol: 'http/protobuf', metricsTemporality: 'cumulative' });
  });

  it('takes a signal\'s own protocol variable over the general one, and the general one for the other signal', () => {
    const { config, warnings } = read({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'GRPC',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'LowMemory',
    });
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({ tracesProtocol: 'grpc', metricsProtocol: 'http/json', metricsTemporality: 'lowmemory' });
  });

  it('falls back from a bad per-signal protocol to the general one, naming the general one as the default used', () => {
    const { config, warnings } = read({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'udp' });
    expect(config).toMatchObject({ tracesProtocol: 'http/json', metricsProtocol: 'http/json' });
    expect(warnings).toEqual(['querylens: OTEL_EXPORTER_OTLP_METRICS_PROTOCOL="udp" is not valid (accepted: http/protobuf, grpc, http/json); using the default "http/json"']);
  });

  it('keeps the valid entries of QUERYLENS_RULES and warns about the malformed one', () => {
    const { config, warnings } = read({ QUERYLENS_RULES: '-select-star,select star' });
    expect([...config.disabledRules]).toEqual(['select-star']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('QUERYLENS_RULES="select star"');
  });
});

describe('call sites and connection thresholds', () => {
  it('are on, 10 s, 5 s and 1 s by default', () => {
    const { config, warnings } = read({});
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({ callSites: true, poolLeakMs: 10_000, longTransactionMs: 5_000, idleInTransactionMs: 1_000 });
  });

  it('reads valid values', () => {
    const { config, warnings } = read({
      QUERYLENS_CALL_SITES: 'off', QUERYLENS_POOL_LEAK_MS: '30000', QUERYLENS_LONG_TRANSACTION_MS: '2000', QUERYLENS_IDLE_IN_TRANSACTION_MS: '250',
    });
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({ callSites: false, poolLeakMs: 30_000, longTransactionMs: 2_000, idleInTransactionMs: 250 });
  });

  it('warns once per bad value, naming the variable, the value, what is accepted and the default used', () => {
    const { config, warnings } = read({
      QUERYLENS_CALL_SITES: 'sometimes', QUERYLENS_POOL_LEAK_MS: '-5', QUERYLENS_LONG_TRANSACTION_MS: '5s', QUERYLENS_IDLE_IN_TRANSACTION_MS: '0',
    });
    expect(config).toMatchObject({ callSites: true, poolLeakMs: 10_000, longTransactionMs: 5_000, idleInTransactionMs: 1_000 });
    expect(warnings).toEqual([
      'querylens: QUERYLENS_CALL_SITES="sometimes" is not valid (accepted: true/false, on/off, 1/0); using the default true',
      'querylens: QUERYLENS_POOL_LEAK_MS="-5" is not valid (accepted: an integer from 1 to 86400000); using the default 10000',
      'querylens: QUERYLENS_LONG_TRANSACTION_MS="5s" is not valid (accepted: an integer from 1 to 86400000); using the default 5000',
      'querylens: QUERYLENS_IDLE_IN_TRANSACTION_MS="0" is not valid (accepted: an integer from 1 to 86400000); using the default 1000',
    ]);
  });
});
