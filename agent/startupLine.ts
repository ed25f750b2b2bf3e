/**
 * The one line the agent prints when it has started: its version, the
 * process, where it serves (the real port when 0 was asked for) and what it
 * exports. Printed when `QUERYLENS_STARTUP_LOG` is `on`, or `auto` (the
 * default) with stderr on a terminal: an app whose stderr is piped to a log
 * collector or a test keeps exactly the output it has without the agent.
 */
import type { Env, MetricsExporter, OtlpProtocol, StartupLog, TracesExporter } from './config';

export interface StartupFacts {
  readonly version: string;
  readonly pid: number;
  readonly host: string;
  readonly requestedPort: number;
  /** The port the server listens on, or undefined when it could not listen. */
  readonly listeningPort: number | undefined;
  readonly metricsExporter: MetricsExporter;
  readonly tracesExporter: TracesExporter;
  readonly metricsProtocol: OtlpProtocol;
  readonly tracesProtocol: OtlpProtocol;
  readonly env: Env;
}

export function shouldPrintStartupLine(setting: StartupLog, stderrIsTerminal: boolean): boolean {
  return setting === 'on' || (setting === 'auto' && stderrIsTerminal);
}

/** `0.0.0.0` is not an address to open: a person on the same machine reaches it as localhost. */
function browsableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Where an OTLP exporter sends one signal, the way the exporters resolve it;
 * credentials left out. Over HTTP the general endpoint gets the signal's path;
 * gRPC takes the endpoint as it is (the service names the signal).
 */
export function otlpDestination(env: Env, signal: 'metrics' | 'traces', protocol: OtlpProtocol): string {
  const own = env[`OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_ENDPOINT`]?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const grpc = protocol === 'grpc';
  const general = base || (grpc ? 'http://localhost:4317' : 'http://localhost:4318');
  const raw = own || (grpc ? general : `${general.replace(/\/+$/, '')}/v1/${signal}`);
  try {
    const url = new URL(raw);
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    return 'an invalid OTLP endpoint';
  }
}

function exportText(exporter: string, env: Env, signal: 'metrics' | 'traces', protocol: OtlpProtocol): string {
  return exporter === 'otlp' ? `otlp ${protocol} to ${otlpDestination(env, signal, protocol)}` : exporter;
}

function exportsText(facts: StartupFacts): string {
  const metrics = exportText(facts.metricsExporter, facts.env, 'metrics', facts.metricsProtocol);
  const traces = exportText(facts.tracesExporter, facts.env, 'traces', facts.tracesProtocol);
  return `metrics: ${metrics}; traces: ${traces}`;
}

export function startupLine(facts: StartupFacts): string {
  const head = `querylens ${facts.version} (pid ${facts.pid})`;
  if (facts.listeningPort === undefined) {
    return `${head}: not serving (port ${facts.requestedPort} on ${facts.host} could not be used); ${exportsText(facts)}`;
  }
  const base = `http://${browsableHost(facts.host)}:${facts.listeningPort}`;
  const pages = facts.metricsExporter === 'prometheus' ? `${base}/metrics, /querylens, /healthz` : `${base}/querylens, /healthz`;
  return `${head}: listening on ${facts.host}:${facts.listeningPort}, ${pages}; ${exportsText(facts)}`;
}
