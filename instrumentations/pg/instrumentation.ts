/**
 * querylens's pg instrumentation: the pool proxy (pg-pool) and the statement
 * hook (pg's Client.prototype.query). Spans come from the upstream
 * `@opentelemetry/instrumentation-pg` when traces are exported (see
 * `upstreamSpans.ts`); metrics and SQL analysis are always ours.
 */
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { monotonicMs } from '../../core/monotonicClock';
import { CaptureInstrumentation, type PackagePatch } from '../../core/captureInstrumentation';
import { commonJsExports } from '../../core/moduleHook';
import type { RequestScope } from '../../core/requestEvents';
import { METRICS, QUERYLENS_SCOPE } from '../../core/metrics/registry';
import { AGENT_VERSION } from '../../core/version';
import { createCounter } from '../../core/metrics/instruments';
import {
  DB_CONNECTION_CREATE_TIME, DB_CONNECTION_USE_TIME, DB_CONNECTION_WAIT_TIME, DB_OPERATION_DURATION, DB_RETURNED_ROWS, TRANSACTION_DURATION,
} from '../../core/metrics/databaseHistograms';
import { captureCallSite } from './callSiteCapture';
import { CONNECTION_DEFAULTS } from './connectionDefaults';
import { CallSiteSampler } from './callSiteSampler';
import { TransactionWatch, type TransactionInstruments } from './transactionWatch';
import { createPoolProxy, type PoolInstruments } from './poolProxy';
import { PoolRegistry } from './poolRegistry';
import { createQueryPatch, type QueryFunction, type QueryInstruments, type StatementAnalyzer } from './queryPatch';
import { isOwnWrapper, unwrapOwn, wrapOwn } from '../../core/ownWrapper';
import type { ConnectionParametersClass, PgClientLike, PoolClass } from './types';
import type { CallSite } from '../../core/callSite';
import { PG_PACKAGE, PG_POOL_PACKAGE } from '../../core/instrumentedPackages';

export interface PgInstrumentationConfig extends InstrumentationConfig {
  /** The SQL engine's statement cache; without it statements are labelled by their first keyword. */
  analyzer?: StatementAnalyzer;
  isAgentQuery?: (firstArg: unknown) => boolean;
  requestScope?: () => RequestScope | undefined;
  /** querylens' own upstream span instrumentation wraps Client#query beneath ours (traces exported). */
  wrapsOwnSpans?: boolean;
  /** QUERYLENS_CALL_SITES (default on): sampled stack captures of statements and checkouts. */
  callSites?: boolean;
  /** The app's root, which call-site paths are shown relative to (default: the working directory). */
  appRoot?: string;
  /** QUERYLENS_POOL_LEAK_MS, QUERYLENS_LONG_TRANSACTION_MS, QUERYLENS_IDLE_IN_TRANSACTION_MS. */
  poolLeakMs?: number;
  longTransactionMs?: number;
  idleInTransactionMs?: number;
}

type ClientClass = { prototype: PgClientLike };
interface PgModule { Client?: ClientClass }

const SUPPORTED_PG_MAJORS = [8];
const SUPPORTED_PG_POOL_MAJORS = [3];

/**
 * pg's ConnectionParameters (the defaults a pool's target is read from), from
 * the pg package in `folder`: pg's Client has loaded it already. Without it
 * a pool's target comes from its own options only.
 */
function connectionParametersIn(folder: string | undefined): ConnectionParametersClass | undefined {
  if (folder === undefined) return undefined;
  try {
    return createRequire(join(folder, 'package.json'))('./lib/connection-parameters.js') as ConnectionParametersClass;
  } catch {
    return undefined;
  }
}

export class PgInstrumentation extends CaptureInstrumentation<PgInstrumentationConfig> {
  // `declare`: the base constructor calls updateMetricInstruments before field initialisers run.
  declare readonly pools: PoolRegistry;
  declare private connectionParameters: ConnectionParametersClass | undefined;
  declare private poolInstruments: PoolInstruments;
  declare private queryInstruments: QueryInstruments;
  declare private transactionInstruments: TransactionInstruments;
  declare private sampler: CallSiteSampler;
  declare private transactionWatch: TransactionWatch;
  declare private poolProxies: WeakMap<PoolClass, PoolClass> | undefined;

  constructor(config: PgInstrumentationConfig = {}) {
    super(QUERYLENS_SCOPE, AGENT_VERSION, config, 'pg-query');
  }

  protected override updateMetricInstruments(): void {
    const timeouts = createCounter(this.meter, METRICS.dbConnectionTimeouts);
    const leaks = createCounter(this.meter, METRICS.poolClientLeaks);
    const long = createCounter(this.meter, METRICS.longTransactions);
    const idle = createCounter(this.meter, METRICS.idleInTransaction);
    const startAtZero = [timeouts, leaks, long, idle];
    this.poolInstruments = {
      waitTime: DB_CONNECTION_WAIT_TIME,
      createTime: DB_CONNECTION_CREATE_TIME,
      useTime: DB_CONNECTION_USE_TIME,
      timeouts,
      leaks,
      startAtZero,
    };
    this.transactionInstruments = { duration: TRANSACTION_DURATION, long, idle };
    this.queryInstruments = {
      duration: DB_OPERATION_DURATION,
      returnedRows: DB_RETURNED_ROWS,
    };
    (this as { pools?: PoolRegistry }).pools ??= new PoolRegistry();
    // Pools made before this meter (the app's, when the agent starts late) start at 0 on it too.
    for (const attributes of this.pools.liveAttributes()) for (const counter of startAtZero) counter.add(0, attributes);
    this.pools.observe(this.meter);
  }

  /** The pool clients held past the leak threshold and the transactions open or idle past theirs, reported now (the agent's periodic check and each report). */
  checkConnections(nowMs: number): void {
    const config = this.getConfig();
    this.pools.checkHeldClients(nowMs, config.poolLeakMs ?? CONNECTION_DEFAULTS.poolLeakMs, this.poolInstruments.leaks);
    this.transactions().check(monotonicMs());
  }

  /** Made on first use: the base constructor hooks pg before this class's fields exist. */
  private transactions(): TransactionWatch {
    this.transactionWatch ??= new TransactionWatch(
      () => {
        const config = this.getConfig();
        return {
          longTransactionMs: config.longTransactionMs ?? CONNECTION_DEFAULTS.longTransactionMs,
          idleInTransactionMs: config.idleInTransactionMs ?? CONNECTION_DEFAULTS.idleInTransactionMs,
        };
      },
      () => this.transactionInstruments,
      this.pools.findings,
    );
    return this.transactionWatch;
  }

  private callSiteSampler(): CallSiteSampler {
    this.sampler ??= new CallSiteSampler(this.getConfig().callSites ?? true);
    return this.sampler;
  }

  private captureSite(skip: (...args: never[]) => unknown): CallSite | undefined {
    return this.getConfig().callSites === false ? undefined : captureCallSite(skip, this.getConfig().appRoot ?? process.cwd());
  }

  /** Hands the statement hook the SQL engine's statement cache, which the agent loads after capture has begun. */
  useAnalyzer(analyzer: StatementAnalyzer): void {
    this.setConfig({ ...this.getConfig(), analyzer });
  }

  override packagePatches(): readonly PackagePatch[] {
    return [
      {
        name: PG_PACKAGE,
        supportedMajors: SUPPORTED_PG_MAJORS,
        patch: (module, _version, folder) => {
          this.connectionParameters ??= connectionParametersIn(folder);
          this.patchClient(commonJsExports(module as PgModule));
          return module;
        },
        unpatch: (module) => this.unpatchClient(commonJsExports(module as PgModule)),
      },
      {
        name: PG_POOL_PACKAGE,
        supportedMajors: SUPPORTED_PG_POOL_MAJORS,
        patch: (module) => this.poolProxyOf(commonJsExports(module as PoolClass)),
        unpatch: () => undefined,
      },
    ];
  }

  /**
   * The proxy of a pg-pool class, one per class: an ES-module import (its
   * namespace's default) and a `require` of the same copy get the same one.
   */
  private poolProxyOf(Pool: PoolClass): PoolClass {
    this.poolProxies ??= new WeakMap();
    let proxy = this.poolProxies.get(Pool);
    if (proxy === undefined) {
      proxy = createPoolProxy(Pool, {
        registry: this.pools,
        instruments: () => this.poolInstruments,
        connectionParameters: () => this.connectionParameters,
        callers: {
          sampleStatement: (text) => this.callSiteSampler().shouldCapture(text),
          callSite: (skip) => this.captureSite(skip),
          requestScope: () => this.getConfig().requestScope?.(),
        },
      });
      this.poolProxies.set(Pool, proxy);
    }
    return proxy;
  }

  private patchClient<T extends PgModule>(pg: T): T {
    const prototype = pg.Client?.prototype;
    if (!prototype || isOwnWrapper(prototype.query)) return pg;
    // Not upstream's InstrumentationBase._wrap: _wrap first unwraps any shimmer wrapper,
    // which would remove the upstream span instrumentation's. Ours goes around
    // it and sees the app's own text first (see ownWrapper.ts).
    wrapOwn(prototype, 'query', (original: QueryFunction) => createQueryPatch(original, {
      analyzer: () => this.getConfig().analyzer,
      instruments: () => this.queryInstruments,
      isAgentQuery: (firstArg) => this.getConfig().isAgentQuery?.(firstArg) ?? false,
      requestScope: () => this.getConfig().requestScope?.(),
      callSites: {
        sample: (text) => this.callSiteSampler().shouldCapture(text) || this.transactions().wantsSite(text),
        capture: (skip) => this.captureSite(skip),
      },
      transactions: () => this.transactions(),
    }), { keepBeneath: this.getConfig().wrapsOwnSpans ?? false });
    return pg;
  }

  private unpatchClient<T extends PgModule>(pg: T): T {
    const prototype = pg.Client?.prototype;
    if (prototype) unwrapOwn(prototype, 'query');
    return pg;
  }
}
