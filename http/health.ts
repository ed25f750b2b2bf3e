/** The `/healthz` model: is the agent working, what does it see, what failed. */
import { agentErrorSummaries, type AgentErrorSummary } from '../core/agentErrors';
import type { PoolSnapshot } from '../instrumentations/pg/poolRegistry';
import { AGENT_VERSION } from '../core/version';

export interface HealthSources {
  readonly serviceName: string;
  readonly startedAt: number;
  readonly pools: () => PoolSnapshot[];
  readonly metricsServed: boolean;
  readonly tracesExporter: string;
  readonly sqlParserReady: () => boolean;
}

export interface Health {
  readonly status: 'ok' | 'degraded';
  readonly version: string;
  readonly service: string;
  readonly uptimeSeconds: number;
  readonly metrics: boolean;
  readonly traces: string;
  readonly sqlParserReady: boolean;
  readonly pools: PoolSnapshot[];
  readonly errors: AgentErrorSummary[];
}

export function buildHealth(sources: HealthSources, now: number): Health {
  const errors = agentErrorSummaries();
  return {
    status: errors.length === 0 ? 'ok' : 'degraded',
    version: AGENT_VERSION,
    service: sources.serviceName,
    uptimeSeconds: Math.round((now - sources.startedAt) / 1000),
    metrics: sources.metricsServed,
    traces: sources.tracesExporter,
    sqlParserReady: sources.sqlParserReady(),
    pools: sources.pools(),
    errors,
  };
}
