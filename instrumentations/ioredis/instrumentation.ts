/**
 * querylens' own ioredis instrumentation: spans and semconv metrics for every
 * command, one span per pipeline/MULTI, connection errors and reconnects.
 * The require hook of InstrumentationBase (CommonJS and, through it, ESM)
 * patches ioredis (see patches.ts); ioredis' diagnostics channels (6.x and
 * 5.10+) carry transactions, and every command of an ioredis loaded before
 * the agent, which the hook never saw.
 */
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { createCounter } from '../../agent/metrics/instruments';
import { DB_OPERATION_DURATION } from '../../agent/metrics/databaseHistograms';
import { METRICS, QUERYLENS_SCOPE } from '../../agent/metrics/registry';
import { AGENT_VERSION } from '../../agent/version';
import { IoredisChannels } from './channels';
import { wrapPipelineExec, wrapSendCommand, wrapSetStatus, wrapSilentEmit } from './patches';
import type { RedisServerHealth } from './connectionHealth';
import { RedisRecorder, type RedisCommandSummary, type RedisInstruments } from './recorder';
import type { IoredisInstrumentationConfig, IoredisModule, PatchableClass, PatchablePrototype, PipelineLike } from './types';

const SUPPORTED_VERSIONS = ['>=5 <7'];

/** The CommonJS exports, whether the hook hands us those or an ESM namespace. */
function ioredisExports(loaded: unknown): IoredisModule {
  const namespace = loaded as { [Symbol.toStringTag]?: unknown; default?: IoredisModule };
  return namespace[Symbol.toStringTag] === 'Module' && namespace.default ? namespace.default : (loaded as IoredisModule);
}

function prototypeOf(exported: PatchableClass | undefined): PatchablePrototype | undefined {
  return exported && typeof exported.prototype === 'object' ? exported.prototype : undefined;
}

export class IoredisInstrumentation extends InstrumentationBase<IoredisInstrumentationConfig> {
  // `declare`: the base constructor already calls enable() and
  // _updateMetricInstruments(); initialised class fields would overwrite them.
  private declare instruments: RedisInstruments;
  private declare recorderState: RedisRecorder | undefined;
  private declare channelsState: IoredisChannels | undefined;

  constructor(config: IoredisInstrumentationConfig = {}) {
    super(QUERYLENS_SCOPE, AGENT_VERSION, config);
  }

  protected override _updateMetricInstruments(): void {
    this.instruments = {
      duration: DB_OPERATION_DURATION,
      connectionErrors: createCounter(this.meter, METRICS.redisConnectionErrors),
      reconnects: createCounter(this.meter, METRICS.redisReconnects),
    };
  }

  protected override init(): InstrumentationNodeModuleDefinition {
    return new InstrumentationNodeModuleDefinition(
      'ioredis',
      SUPPORTED_VERSIONS,
      (loaded: unknown) => {
        this.patch(ioredisExports(loaded));
        return loaded;
      },
      (loaded: unknown) => this.unpatch(ioredisExports(loaded)),
    );
  }

  override enable(): void {
    super.enable();
    this.channels().subscribe();
  }

  override disable(): void {
    super.disable();
    this.channelsState?.unsubscribe();
  }

  /** Per-command calls, errors and p95 since start, for the report. */
  commandSummaries(): RedisCommandSummary[] {
    return this.recorder().commandSummaries();
  }

  /** Connection state per Redis server, worst first, for /healthz. */
  connectionHealth(): RedisServerHealth[] {
    return this.recorder().connectionHealth();
  }

  private recorder(): RedisRecorder {
    return (this.recorderState ??= new RedisRecorder(() => this.tracer, () => this.instruments, this.getConfig().spans !== false));
  }

  private channels(): IoredisChannels {
    return (this.channelsState ??= new IoredisChannels(this.recorder()));
  }

  /** ioredis 5.10+ traces a MULTI itself, except on a Cluster (which lacks `_buildBatchContext`). */
  private multiOnChannel(pipeline: PipelineLike): boolean {
    return this._enabled && '_buildBatchContext' in pipeline.redis;
  }

  private patch(ioredis: IoredisModule): void {
    const recorder = this.recorder();
    const pipeline = prototypeOf(ioredis.Pipeline);
    if (pipeline) this._wrap(pipeline, 'exec', wrapPipelineExec(recorder, (p) => this.multiOnChannel(p)) as never);
    const redis = prototypeOf(ioredis.Redis);
    if (redis) {
      this._wrap(redis, 'silentEmit', wrapSilentEmit(recorder) as never);
      this._wrap(redis, 'setStatus', wrapSetStatus(recorder) as never);
      this._wrap(redis, 'sendCommand', wrapSendCommand(recorder) as never);
    }
    const cluster = prototypeOf(ioredis.Cluster);
    if (cluster) this._wrap(cluster, 'setStatus', wrapSetStatus(recorder) as never);
  }

  private unpatch(ioredis: IoredisModule): void {
    const pipeline = prototypeOf(ioredis.Pipeline);
    if (pipeline) this._unwrap(pipeline, 'exec');
    const redis = prototypeOf(ioredis.Redis);
    if (redis) {
      this._unwrap(redis, 'silentEmit');
      this._unwrap(redis, 'setStatus');
      this._unwrap(redis, 'sendCommand');
    }
    const cluster = prototypeOf(ioredis.Cluster);
    if (cluster) this._unwrap(cluster, 'setStatus');
  }
}
