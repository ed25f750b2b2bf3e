/**
 * querylens's pg instrumentation: the pool proxy (pg-pool) and the statement
 * hook (pg's Client.prototype.query). Spans come from the upstream
 * `@opentelemetry/instrumentation-pg` when traces are exported (see
 * `upstreamSpans.ts`); metrics and SQL analysis are always ours.
 */
import {
  InstrumentationBase, InstrumentationNodeModuleDefinition, InstrumentationNodeModuleFile,
} from '@opentelemetry/instrumentation';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { METRICS, QUERYLENS_SCOPE } from '../../core/metrics/registry';
import { AGENT_VERSION } from '../../core/version';
import { createCounter } from '../../core/metrics/instruments';
import {
  DB_CONNECTION_CREATE_TIME, DB_CONNECTION_USE_TIME, DB_CONNECTION_WAIT_TIME, DB_OPERATION_DURATION, DB_RETURNED_ROWS,
} from '../../core/metrics/databaseHistograms';
import { createPoolProxy, type PoolInstruments } from './poolProxy';
import { PoolRegistry } from './poolRegistry';
import { createQueryPatch, type QueryFunction, type QueryInstruments, type StatementAnalyzer } from './queryPatch';
import { isOwnWrapper, unwrapOwn, wrapOwn } from '../../core/ownWrapper';
import type { ConnectionParametersClass, PgClientLike, PoolClass } from './types';

export interface PgInstrumentationConfig extends InstrumentationConfig {
  /** The SQL engine's statement cache; without it statements are labelled by their first keyword. */
  analyzer?: StatementAnalyzer;
  isAgentQuery?: (firstArg: unknown) => boolean;
  requestContextKey?: () => string | undefined;
  /** querylens' own upstream span instrumentation wraps Client#query beneath ours (traces exported). */
  wrapsOwnSpans?: boolean;
}

type ClientClass = { prototype: PgClientLike };
interface PgModule { Client?: ClientClass }

function moduleExportsOf<T>(module: T): T {
  const namespace = module as { [Symbol.toStringTag]?: string; default?: T };
  return namespace[Symbol.toStringTag] === 'Module' && namespace.default ? namespace.default : module;
}

export class PgInstrumentation extends InstrumentationBase<PgInstrumentationConfig> {
  // `declare`: the base constructor calls _updateMetricInstruments before field initialisers run.
  declare readonly pools: PoolRegistry;
  declare private connectionParameters: ConnectionParametersClass | undefined;
  declare private poolInstruments: PoolInstruments;
  declare private queryInstruments: QueryInstruments;

  constructor(config: PgInstrumentationConfig = {}) {
    super(QUERYLENS_SCOPE, AGENT_VERSION, config);
  }

  protected override _updateMetricInstruments(): void {
    const timeouts = createCounter(this.meter, METRICS.dbConnectionTimeouts);
    this.poolInstruments = {
      waitTime: DB_CONNECTION_WAIT_TIME,
      createTime: DB_CONNECTION_CREATE_TIME,
      useTime: DB_CONNECTION_USE_TIME,
      timeouts,
    };
    this.queryInstruments = {
      duration: DB_OPERATION_DURATION,
      returnedRows: DB_RETURNED_ROWS,
    };
    (this as { pools?: PoolRegistry }).pools ??= new PoolRegistry();
    // Pools made before this meter (the app's, when the agent starts late) start at 0 on it too.
    for (const attributes of this.pools.liveAttributes()) timeouts.add(0, attributes);
    this.pools.observe(this.meter);
  }

  /** Hands the statement hook the SQL engine's statement cache, which the agent loads after capture has begun. */
  useAnalyzer(analyzer: StatementAnalyzer): void {
    this.setConfig({ ...this.getConfig(), analyzer });
  }

  protected init() {
    const connectionParametersFile = new InstrumentationNodeModuleFile(
      'pg/lib/connection-parameters.js',
      ['>=8 <9'],
      (moduleExports: ConnectionParametersClass) => {
        this.connectionParameters = moduleExports;
        return moduleExports;
      },
      (moduleExports: ConnectionParametersClass) => moduleExports,
    );
    return [
      new InstrumentationNodeModuleDefinition(
        'pg',
        ['>=8 <9'],
        (module: PgModule) => this.patchClient(moduleExportsOf(module)),
        (module: PgModule) => this.unpatchClient(moduleExportsOf(module)),
        [connectionParametersFile],
      ),
      new InstrumentationNodeModuleDefinition(
        'pg-pool',
        ['>=3 <4'],
        (Pool: PoolClass) => createPoolProxy(Pool, {
          registry: this.pools,
          instruments: () => this.poolInstruments,
          connectionParameters: () => this.connectionParameters,
        }),
        (Pool: PoolClass) => Object.getPrototypeOf(Pool) as PoolClass,
      ),
    ];
  }

  private patchClient<T extends PgModule>(pg: T): T {
    const prototype = pg.Client?.prototype;
    if (!prototype || isOwnWrapper(prototype.query)) return pg;
    // Not InstrumentationBase._wrap: _wrap first unwraps any shimmer wrapper,
    // which would remove the upstream span instrumentation's. Ours goes around
    // it and sees the app's own text first (see ownWrapper.ts).
    wrapOwn(prototype, 'query', (original: QueryFunction) => createQueryPatch(original, {
      analyzer: () => this.getConfig().analyzer,
      instruments: () => this.queryInstruments,
      isAgentQuery: (firstArg) => this.getConfig().isAgentQuery?.(firstArg) ?? false,
      requestContextKey: () => this.getConfig().requestContextKey?.(),
    }), { keepBeneath: this.getConfig().wrapsOwnSpans ?? false });
    return pg;
  }

  private unpatchClient<T extends PgModule>(pg: T): T {
    const prototype = pg.Client?.prototype;
    if (prototype) unwrapOwn(prototype, 'query');
    return pg;
  }
}
