/**
 * The agent's last start-up stage: its HTTP server (metrics, report, status
 * page, admin actions, health) and, once the server's outcome is known, the
 * start-up line. Loaded by the stages (first in one of its own, then used by
 * the last), never at preload: a process that ends before them never loads
 * the server's modules.
 */
import type { Server } from 'node:http';
import type { QuerylensConfig } from './config';
import type { AgentTelemetry } from './sdk';
import type { SqlRuntime } from './startRecording';
import type { HealthSources } from '../http/health';
import { reportAgentError } from '../core/agentErrors';
import { AGENT_VERSION } from '../core/version';
import { clearLiveCaches } from '../instrumentations/cacheTelemetry/clearLiveCaches';
import { currentProcessRole, serverPlacement } from '../http/serverPort';
import { explainPortClashes } from '../http/portHeldHint';
import { agentRoutes } from '../http/agentRoutes';
import { startAgentServer } from '../http/server';
import { shouldPrintStartupLine, startupLine } from './startupLine';

export interface ServedAgent {
  readonly config: QuerylensConfig;
  readonly telemetry: AgentTelemetry;
  readonly runtime: SqlRuntime;
  /** What /healthz reads besides the telemetry's and the configuration's own. */
  readonly health: Pick<HealthSources, 'serviceName' | 'startedAt' | 'pools' | 'redis' | 'sqlParserReady'>;
  readonly warn: (line: string) => void;
}

/** Once the server's outcome is known: the start-up line, and a word when the app later clashes with its port. */
function announce(agent: ServedAgent, listening: Server | undefined, requestedPort: number): void {
  const { config, warn } = agent;
  const address = listening?.address();
  const listeningPort = typeof address === 'object' && address !== null ? address.port : undefined;
  if (listening !== undefined && listeningPort !== undefined) explainPortClashes(listening, listeningPort, warn);
  if (!shouldPrintStartupLine(config.startupLog, process.stderr.isTTY === true)) return;
  warn(startupLine({
    version: AGENT_VERSION,
    pid: process.pid,
    host: config.prometheusHost,
    requestedPort,
    listeningPort,
    metricsExporter: config.metricsExporter,
    tracesExporter: config.tracesExporter,
    metricsProtocol: config.metricsProtocol,
    tracesProtocol: config.tracesProtocol,
    env: process.env,
  }));
}

/** Resolves with the listening server, or undefined when it could not listen (reported on stderr). */
export function serveAgent(agent: ServedAgent): Promise<Server | undefined> {
  const { config, telemetry, runtime, warn } = agent;
  const routes = agentRoutes({
    metrics: telemetry.metricsRoute,
    report: runtime.report,
    admin: { token: config.adminToken, resetStats: runtime.resetStats, clearCaches: clearLiveCaches },
    health: {
      ...agent.health,
      metricsServed: telemetry.prometheus !== undefined,
      tracesExporter: config.tracesExporter,
    },
  });
  const placement = serverPlacement(config.prometheusPort, currentProcessRole(process.env));
  const server = startAgentServer({ host: config.prometheusHost, ...placement, routes, warn });
  server.then((listening) => announce(agent, listening, placement.port)).catch((error: unknown) => reportAgentError('bootstrap', error));
  return server;
}
