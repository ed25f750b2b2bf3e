/**
 * Where the agent's own EXPLAIN connection gets its credentials: from the
 * app's live pool to the same server and database (the pool was given them),
 * else from the environment as pg reads it. They stay in memory.
 */
import type { ConnectionConfigResolver, ExplainConnectionConfig } from './explainConnection';
import type { PoolRegistry } from '../instrumentations/pg/poolRegistry';
import type { PgPoolOptions } from '../instrumentations/pg/types';

function connectionFields(options: PgPoolOptions): ExplainConnectionConfig {
  const { connectionString, host, port, database, user, password, ssl } = options as PgPoolOptions & Partial<ExplainConnectionConfig>;
  return {
    connectionString,
    host,
    port: port === undefined ? undefined : Number(port),
    database,
    user,
    password,
    ssl,
  };
}

export function poolConnectionConfig(pools: PoolRegistry, fallback: ConnectionConfigResolver): ConnectionConfigResolver {
  return (server) => {
    const options = pools.optionsFor({ host: server.address, port: server.port, database: server.database });
    return options === undefined ? fallback(server) : connectionFields(options);
  };
}
