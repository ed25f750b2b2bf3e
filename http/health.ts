/**
 * The `/healthz` model: is the agent working, what does it see, what failed.
 * `degraded` when the agent caught errors of its own, or when a Redis server
 * the app's clients use is unreachable or failing: the agent is where an
 * outage of the app's Redis is seen first, even if the app swallows the
 * errors.
 */
import { agentErrorSummaries, type AgentErrorSummary } from '../core/agentErrors';
import type { PoolSnapshot } from '../instrumentations/pg/poolRegistry';
import type { RedisServerHealth } from '../instrumentations/ioredis/connectionHealth';
import { AGENT_VERSION } from '../core/version';

export interface HealthSources {
  readonly serviceName: string;
  readonly startedAt: number;
  readonly pools: () => PoolSnapshot[];
  readonly redis: () => RedisServerHealth[];
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
  readonly redis: RedisServerHealth[];
  readonly errors: AgentErrorSummary[];
}

export function buildHealth(sources: HealthSources, now: number): Health {
  const errors = agentErrorSummaries();
  const redis = sources.redis();
  return {
    status: errors.length === 0 && redis.every((server) => server.healthy) ? 'ok' : 'degraded',
    version: AGENT_VERSION,
    service: sources.serviceName,
    uptimeSeconds: Math.round((now - sources.startedAt) / 1000),
    metrics: sources.metricsServed,
    traces: sources.tracesExporter,
    sqlParserReady: sources.sqlParserReady(),
    pools: sources.pools(),
    redis,
    errors,
  };
}
