/**
 * Metric attributes for a pg statement, built once per (connection target,
 * operation, table, error) and reused: the hot path looks up, not allocates.
 */
import type { Attributes } from '@opentelemetry/api';
import { ATTR } from '../../core/metrics/registry';
import type { StatementAnalysis } from '../../core/statementAnalysis';
import type { PgClientLike } from './types';

export interface ConnectionTarget {
  readonly address: string;
  readonly port: number;
  readonly database: string;
  /** Attributes of every operation on this target; shared, never mutated. */
  readonly byStatement: Map<string, Attributes>;
  /**
   * The success attributes of each analysed statement: the statement cache
   * hands out one analysis per distinct text, so a statement finds its
   * attributes without building a key string (whose hash is computed anew).
   */
  readonly byAnalysis: WeakMap<StatementAnalysis, Attributes>;
}

const targetOfClient = new WeakMap<PgClientLike, ConnectionTarget>();
/** Shared by all clients of one server and database; few per app, capped for safety. */
const targetByKey = new Map<string, ConnectionTarget>();
const MAX_TARGETS = 100;
const MAX_ATTRIBUTE_SETS_PER_TARGET = 2000;

export function connectionTargetOf(client: PgClientLike): ConnectionTarget {
  let target = targetOfClient.get(client);
  if (!target) {
    const params = client.connectionParameters;
    const address = String(params?.host ?? '');
    const port = Number(params?.port ?? 0);
    const database = String(client.database ?? params?.database ?? '');
    const key = `${address}\u0000${port}\u0000${database}`;
    target = targetByKey.get(key);
    if (!target) {
      if (targetByKey.size >= MAX_TARGETS) targetByKey.clear();
      target = { address, port, database, byStatement: new Map(), byAnalysis: new WeakMap() };
      targetByKey.set(key, target);
    }
    targetOfClient.set(client, target);
  }
  return target;
}

export function operationAttributes(target: ConnectionTarget, operation: string, collection: string, errorType: string | undefined): Attributes {
  const key = `${operation}\u0000${collection}\u0000${errorType ?? ''}`;
  let attributes = target.byStatement.get(key);
  if (!attributes) {
    // Operations and tables of one app are few; the cap only guards against generated table names.
    if (target.byStatement.size >= MAX_ATTRIBUTE_SETS_PER_TARGET) target.byStatement.clear();
    attributes = {
      [ATTR.dbSystemName]: 'postgresql',
      [ATTR.dbNamespace]: target.database,
      [ATTR.serverAddress]: target.address,
      [ATTR.serverPort]: target.port,
      [ATTR.dbOperationName]: operation,
      [ATTR.dbCollectionName]: collection,
    };
    if (errorType !== undefined) attributes[ATTR.errorType] = errorType;
    target.byStatement.set(key, attributes);
  }
  return attributes;
}

/** `operationAttributes` of a statement that succeeded, found by its analysis. */
export function analysisAttributes(target: ConnectionTarget, analysis: StatementAnalysis): Attributes {
  let attributes = target.byAnalysis.get(analysis);
  if (attributes === undefined) {
    attributes = operationAttributes(target, analysis.operation, analysis.collection, undefined);
    target.byAnalysis.set(analysis, attributes);
  }
  return attributes;
}
