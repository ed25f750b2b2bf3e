/**
 * Configuration from the environment: standard OpenTelemetry variables first,
 * QUERYLENS_* for what is ours. Reading never throws: an invalid value yields
 * one warning line (variable, value, what is accepted, the default used).
 */
import { N_PLUS_ONE_MIN_TOTAL_MS } from '../recording/detectors/nPlusOneDefaults';
import { CONNECTION_DEFAULTS } from '../instrumentations/pg/connectionDefaults';

export type TracesExporter = 'none' | 'otlp' | 'console';
export type MetricsExporter = 'prometheus' | 'otlp' | 'none';
/** The OTLP transports the specification names; `http/protobuf` is its default. */
export const OTLP_PROTOCOLS = ['http/protobuf', 'grpc', 'http/json'] as const;
export type OtlpProtocol = typeof OTLP_PROTOCOLS[number];
/** `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`, as the specification defines it. */
export type MetricsTemporality = 'cumulative' | 'delta' | 'lowmemory';
/** `auto`: print the start-up line when stderr is a terminal. */
export type StartupLog = 'auto' | 'on' | 'off';

export interface QuerylensConfig {
  readonly disabled: boolean;
  /** Explicit service name; undefined means "the app's package name". */
  readonly serviceName: string | undefined;
  readonly prometheusHost: string;
  readonly prometheusPort: number;
  readonly tracesExporter: TracesExporter;
  readonly metricsExporter: MetricsExporter;
  /** How `otlp` sends each signal: the per-signal variable, else `OTEL_EXPORTER_OTLP_PROTOCOL`, else `http/protobuf`. */
  readonly tracesProtocol: OtlpProtocol;
  readonly metricsProtocol: OtlpProtocol;
  readonly metricsTemporality: MetricsTemporality;
  /** How often pushed metrics are exported (`OTEL_METRIC_EXPORT_INTERVAL`), and how long one export may take. */
  readonly metricExportIntervalMs: number;
  readonly metricExportTimeoutMs: number;
  readonly slowQueryMs: number;
  readonly nPlusOneThreshold: number;
  readonly nPlusOneMinMs: number;
  readonly maxQueries: number;
  readonly explain: boolean;
  readonly explainIntervalMs: number;
  /** Index suggestions for explained plans (`QUERYLENS_INDEX_ADVISOR`): HypoPG where installed, else pg_stats (`auto`), HypoPG only, or off. */
  readonly indexAdvisor: 'auto' | 'hypopg' | 'off';
  /** Tables with fewer rows get no index suggestion (`QUERYLENS_INDEX_ADVISOR_MIN_ROWS`). */
  readonly indexAdvisorMinRows: number;
  readonly disabledRules: ReadonlySet<string>;
  readonly sqlcommenter: boolean;
  /** `stderr`, `off`, or a file path for JSON lines. */
  readonly slowQueryLog: string;
  readonly unboundedRows: number;
  readonly maxSqlLength: number;
  /** Milliseconds per second the hot path may spend analysing new statement texts. */
  readonly analysisBudgetMs: number;
  /** Let V8 optimise WebAssembly (the SQL parser) with TurboFan; off by default, see startAnalysis.ts. */
  readonly wasmTierUp: boolean;
  /** Bearer token for the admin actions (`QUERYLENS_ADMIN_TOKEN`); undefined disables them. */
  readonly adminToken: string | undefined;
  /** When to print the one start-up line (`QUERYLENS_STARTUP_LOG`). */
  readonly startupLog: StartupLog;
  /** Sampled call sites of statements and pool checkouts (`QUERYLENS_CALL_SITES`). */
  readonly callSites: boolean;
  /** A pool client held longer is a leak (`QUERYLENS_POOL_LEAK_MS`). */
  readonly poolLeakMs: number;
  /** A transaction open longer is a finding (`QUERYLENS_LONG_TRANSACTION_MS`). */
  readonly longTransactionMs: number;
  /** A client idle inside a transaction longer is a finding (`QUERYLENS_IDLE_IN_TRANSACTION_MS`). */
  readonly idleInTransactionMs: number;
}

export type Env = Readonly<Record<string, string | undefined>>;
export type Warn = (line: string) => void;

interface Reader {
  readonly env: Env;
  readonly warn: Warn;
}

function raw(r: Reader, name: string): string | undefined {
  const value = r.env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function invalid(r: Reader, name: string, value: string, accepted: string, fallback: unknown): void {
  r.warn(`querylens: ${name}=${JSON.stringify(value)} is not valid (accepted: ${accepted}); using the default ${JSON.stringify(fallback)}`);
}

function readBoolean(r: Reader, name: string, fallback: boolean): boolean {
  const value = raw(r, name);
  if (value === undefined) return fallback;
  const lower = value.toLowerCase();
  if (['true', '1', 'on', 'yes'].includes(lower)) return true;
  if (['false', '0', 'off', 'no'].includes(lower)) return false;
  invalid(r, name, value, 'true/false, on/off, 1/0', fallback);
  return fallback;
}

function readInteger(r: Reader, name: string, fallback: number, min: number, max: number): number {
  const value = raw(r, name);
  if (value === undefined) return fallback;
  const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
  if (Number.isSafeInteger(parsed) && parsed >= min && parsed <= max) return parsed;
  invalid(r, name, value, `an integer from ${min} to ${max}`, fallback);
  return fallback;
}

function readChoice<T extends string>(r: Reader, name: string, choices: readonly T[], fallback: T): T {
  const value = raw(r, name);
  if (value === undefined) return fallback;
  const lower = value.toLowerCase();
  const found = choices.find((choice) => choice === lower);
  if (found !== undefined) return found;
  invalid(r, name, value, choices.join(', '), fallback);
  return fallback;
}

/** Per signal, its own variable overrides the general one; a bad value of either falls back to the next. */
function readProtocols(r: Reader): { tracesProtocol: OtlpProtocol; metricsProtocol: OtlpProtocol } {
  const general = readChoice(r, 'OTEL_EXPORTER_OTLP_PROTOCOL', OTLP_PROTOCOLS, 'http/protobuf');
  return {
    tracesProtocol: readChoice(r, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', OTLP_PROTOCOLS, general),
    metricsProtocol: readChoice(r, 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', OTLP_PROTOCOLS, general),
  };
}

/** `-select-star,-large-offset`: rules to switch off. Unknown ids are checked later by the rule engine. */
function readDisabledRules(r: Reader, name: string): ReadonlySet<string> {
  const value = raw(r, name);
  const disabled = new Set<string>();
  if (value === undefined) return disabled;
  for (const item of value.split(',').map((part) => part.trim()).filter(Boolean)) {
    if (/^-[a-z0-9-]+$/.test(item)) disabled.add(item.slice(1));
    else invalid(r, name, item, 'a comma-separated list of -rule-id entries', 'all rules on for this entry');
  }
  return disabled;
}

export const DEFAULTS = {
  prometheusHost: '0.0.0.0',
  prometheusPort: 9464,
  slowQueryMs: 500,
  nPlusOneThreshold: 5,
  nPlusOneMinMs: N_PLUS_ONE_MIN_TOTAL_MS,
  maxQueries: 200,
  explainIntervalMs: 300_000,
  indexAdvisorMinRows: 10_000,
  unboundedRows: 1000,
  maxSqlLength: 100_000,
  analysisBudgetMs: 50,
  metricExportIntervalMs: 60_000,
  metricExportTimeoutMs: 30_000,
  ...CONNECTION_DEFAULTS,
} as const;

/** QUERYLENS_WASM_TIER_UP alone: what the CLI reads, without the agent's other settings and their warnings. */
export function readWasmTierUp(env: Env, warn: Warn): boolean {
  return readBoolean({ env, warn }, 'QUERYLENS_WASM_TIER_UP', false);
}

export function readConfig(env: Env, warn: Warn): QuerylensConfig {
  const r: Reader = { env, warn };
  const slowQueryLog = raw(r, 'QUERYLENS_SLOW_QUERY_LOG') ?? 'off';
  return {
    disabled: readBoolean(r, 'OTEL_SDK_DISABLED', false),
    serviceName: raw(r, 'OTEL_SERVICE_NAME'),
    prometheusHost: raw(r, 'OTEL_EXPORTER_PROMETHEUS_HOST') ?? DEFAULTS.prometheusHost,
    prometheusPort: readInteger(r, 'OTEL_EXPORTER_PROMETHEUS_PORT', DEFAULTS.prometheusPort, 0, 65535),
    tracesExporter: readChoice(r, 'OTEL_TRACES_EXPORTER', ['none', 'otlp', 'console'] as const, 'none'),
    metricsExporter: readChoice(r, 'OTEL_METRICS_EXPORTER', ['prometheus', 'otlp', 'none'] as const, 'prometheus'),
    ...readProtocols(r),
    metricsTemporality: readChoice(r, 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE', ['cumulative', 'delta', 'lowmemory'] as const, 'cumulative'),
    metricExportIntervalMs: readInteger(r, 'OTEL_METRIC_EXPORT_INTERVAL', DEFAULTS.metricExportIntervalMs, 1, 86_400_000),
    metricExportTimeoutMs: readInteger(r, 'OTEL_METRIC_EXPORT_TIMEOUT', DEFAULTS.metricExportTimeoutMs, 1, 86_400_000),
    slowQueryMs: readInteger(r, 'QUERYLENS_SLOW_QUERY_MS', DEFAULTS.slowQueryMs, 1, 3_600_000),
    nPlusOneThreshold: readInteger(r, 'QUERYLENS_N_PLUS_ONE', DEFAULTS.nPlusOneThreshold, 2, 10_000),
    nPlusOneMinMs: readInteger(r, 'QUERYLENS_N_PLUS_ONE_MIN_MS', DEFAULTS.nPlusOneMinMs, 0, 3_600_000),
    maxQueries: readInteger(r, 'QUERYLENS_MAX_QUERIES', DEFAULTS.maxQueries, 1, 10_000),
    explain: readBoolean(r, 'QUERYLENS_EXPLAIN', true),
    explainIntervalMs: readInteger(r, 'QUERYLENS_EXPLAIN_INTERVAL_MS', DEFAULTS.explainIntervalMs, 1000, 86_400_000),
    indexAdvisor: readChoice(r, 'QUERYLENS_INDEX_ADVISOR', ['auto', 'hypopg', 'off'] as const, 'auto'),
    indexAdvisorMinRows: readInteger(r, 'QUERYLENS_INDEX_ADVISOR_MIN_ROWS', DEFAULTS.indexAdvisorMinRows, 0, 1_000_000_000),
    disabledRules: readDisabledRules(r, 'QUERYLENS_RULES'),
    sqlcommenter: readBoolean(r, 'QUERYLENS_SQLCOMMENTER', false),
    slowQueryLog,
    unboundedRows: readInteger(r, 'QUERYLENS_UNBOUNDED_ROWS', DEFAULTS.unboundedRows, 1, 100_000_000),
    maxSqlLength: readInteger(r, 'QUERYLENS_MAX_SQL_LENGTH', DEFAULTS.maxSqlLength, 100, 10_000_000),
    analysisBudgetMs: readInteger(r, 'QUERYLENS_ANALYSIS_BUDGET_MS', DEFAULTS.analysisBudgetMs, 1, 1000),
    wasmTierUp: readWasmTierUp(env, warn),
    adminToken: raw(r, 'QUERYLENS_ADMIN_TOKEN'),
    startupLog: readChoice(r, 'QUERYLENS_STARTUP_LOG', ['auto', 'on', 'off'] as const, 'auto'),
    callSites: readBoolean(r, 'QUERYLENS_CALL_SITES', true),
    poolLeakMs: readInteger(r, 'QUERYLENS_POOL_LEAK_MS', DEFAULTS.poolLeakMs, 1, 86_400_000),
    longTransactionMs: readInteger(r, 'QUERYLENS_LONG_TRANSACTION_MS', DEFAULTS.longTransactionMs, 1, 86_400_000),
    idleInTransactionMs: readInteger(r, 'QUERYLENS_IDLE_IN_TRANSACTION_MS', DEFAULTS.idleInTransactionMs, 1, 86_400_000),
  };
}
