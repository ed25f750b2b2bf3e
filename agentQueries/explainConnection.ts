/**
 * Where the automatic EXPLAIN connects. A QueryEvent names the server
 * (address, port, database) but not the credentials; the pg instrumentation
 * can supply them from the app's own client options through a resolver.
 * Without one, the default uses `DATABASE_URL` when it points at the same
 * server, else the server fields and lets pg read `PGUSER`, `PGPASSWORD`,
 * `PGSSLMODE` … from the environment as it always does.
 */

export interface ExplainServer {
  readonly address: string;
  readonly port: number;
  readonly database: string;
}

/** What `new pg.Client(config)` needs; credentials stay in memory. */
export interface ExplainConnectionConfig {
  readonly host?: string;
  readonly port?: number;
  readonly database?: string;
  readonly user?: string;
  readonly password?: string | (() => string | Promise<string>);
  readonly ssl?: unknown;
  readonly connectionString?: string;
}

/** Undefined means "do not EXPLAIN on this server". */
export type ConnectionConfigResolver = (server: ExplainServer) => ExplainConnectionConfig | undefined;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

function sameHost(a: string, b: string): boolean {
  return a === b || (LOOPBACK.has(a) && LOOPBACK.has(b));
}

/** True when the connection URL names the same host, port and database as the server. */
export function urlTargetsServer(connectionUrl: string, server: ExplainServer): boolean {
  try {
    const url = new URL(connectionUrl);
    const port = url.port === '' ? 5432 : Number(url.port);
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    return sameHost(url.hostname, server.address) && port === server.port && database === server.database;
  } catch {
    return false;
  }
}

export function defaultConnectionConfigFor(env: Readonly<Record<string, string | undefined>>): ConnectionConfigResolver {
  return (server) => {
    const databaseUrl = env.DATABASE_URL;
    if (databaseUrl !== undefined && urlTargetsServer(databaseUrl, server)) return { connectionString: databaseUrl };
    return { host: server.address, port: server.port, database: server.database };
  };
}
