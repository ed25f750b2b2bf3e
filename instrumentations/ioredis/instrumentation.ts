/**
 * querylens' own ioredis instrumentation: spans and semconv metrics for every
 * command, one span per pipeline/MULTI, connection errors and reconnects.
 * The agent's module hook (core/moduleHook.ts: CommonJS and ESM) patches
 * ioredis (see patches.ts); an ioredis loaded before the agent is found in
 * the module cache and patched the same way (loadedModules.ts).
 *
 * It never subscribes to ioredis' own tracing channels (5.11+, 6): ioredis
 * publishes only while someone listens, and then hands the app a wrapper
 * promise it has marked handled, which would hide the app's unhandled
 * rejections and make every command pay for the context and the wrapper. Not
 * listening also leaves what other subscribers receive exactly as it is
 * without the agent.
 *
 * The patches and the recorder load when the first copy of ioredis is
 * patched: an app without Redis never loads them, and one with Redis pays
 * inside its own require of ioredis.
 */
import { CaptureInstrumentation, type PackagePatch } from '../../core/captureInstrumentation';
import { commonJsExports } from '../../core/moduleHook';
import { createCounter } from '../../core/metrics/instruments';
import { DB_OPERATION_DURATION } from '../../core/metrics/databaseHistograms';
import { METRICS, QUERYLENS_SCOPE } from '../../core/metrics/registry';
import { AGENT_VERSION } from '../../core/version';
import { guarded } from '../../core/agentErrors';
import { isOwnWrapper, unwrapOwn, wrapOwn } from '../../core/ownWrapper';
import { loadedIoredisModules } from './loadedModules';
import type * as Patches from './patches';
import type { RedisServerHealth } from './connectionHealth';
import type * as Recorder from './recorder';
import type { RedisInstruments, RedisRecorder } from './recorder';
import { DISCARDING_REDIS_SINK } from '../../core/redisOperations';
import type { IoredisInstrumentationConfig, IoredisModule, PatchableClass, PatchablePrototype } from './types';
import { IOREDIS_PACKAGE } from '../../core/instrumentedPackages';

const SUPPORTED_MAJORS = [5, 6];

function isSupported(version: string): boolean {
  return SUPPORTED_MAJORS.includes(Number.parseInt(version, 10));
}

function prototypeOf(exported: PatchableClass | undefined): PatchablePrototype | undefined {
  return exported && typeof exported.prototype === 'object' ? exported.prototype : undefined;
}

export class IoredisInstrumentation extends CaptureInstrumentation<IoredisInstrumentationConfig> {
  // `declare`: the base constructor already calls enable() and
  // updateMetricInstruments(); initialised class fields would overwrite them.
  private declare instruments: RedisInstruments;
  private declare recorderState: RedisRecorder | undefined;
  /** ioredis copies found already loaded at enable time, patched by us rather than by the hook. */
  private declare preloaded: IoredisModule[] | undefined;

  constructor(config: IoredisInstrumentationConfig = {}) {
    super(QUERYLENS_SCOPE, AGENT_VERSION, config, 'ioredis-patches');
  }

  protected override updateMetricInstruments(): void {
    this.instruments = {
      duration: DB_OPERATION_DURATION,
      connectionErrors: createCounter(this.meter, METRICS.redisConnectionErrors),
      reconnects: createCounter(this.meter, METRICS.redisReconnects),
    };
  }

  override packagePatches(): readonly PackagePatch[] {
    return [{
      name: IOREDIS_PACKAGE,
      supportedMajors: SUPPORTED_MAJORS,
      patch: (loaded) => {
        this.patch(commonJsExports(loaded as IoredisModule));
        return loaded;
      },
      unpatch: (loaded) => this.unpatch(commonJsExports(loaded as IoredisModule)),
    }];
  }

  override enable(): void {
    if (this.isEnabled()) return;
    super.enable();
    const preloaded = this.findPreloaded();
    this.preloaded = preloaded;
    // Outside the module hook, which counts a failing patch: counted here the same way, never thrown into the agent's start.
    guarded('ioredis-patches', () => {
      for (const ioredis of preloaded) this.patch(ioredis);
    }, undefined);
  }

  override disable(): void {
    super.disable();
    for (const ioredis of this.preloaded ?? []) this.unpatch(ioredis);
    this.preloaded = undefined;
  }

  /** Connection state per Redis server, worst first, for /healthz; none before a copy of ioredis is patched. */
  connectionHealth(): RedisServerHealth[] {
    return this.recorderState?.connectionHealth() ?? [];
  }

  private recorder(): RedisRecorder {
    if (this.recorderState === undefined) {
      const { operations = DISCARDING_REDIS_SINK, spans } = this.getConfig();
      const { RedisRecorder } = require('./recorder') as typeof Recorder;
      this.recorderState = new RedisRecorder(() => this.tracer, () => this.instruments, operations, spans !== false);
    }
    return this.recorderState;
  }

  /** Loaded copies the hook has not captured (the base class patches and unpatches those itself). */
  private findPreloaded(): IoredisModule[] {
    const hooked = new Set(this.hookedExports());
    return loadedIoredisModules()
      .filter((loaded) => isSupported(loaded.version) && !hooked.has(loaded.exports))
      .map((loaded) => commonJsExports(loaded.exports as IoredisModule));
  }

  private patch(ioredis: IoredisModule): void {
    // A copy patched through the module cache at enable, then required by the app again: once is enough.
    if (isOwnWrapper(prototypeOf(ioredis.Redis)?.sendCommand)) return;
    const recorder = this.recorder();
    const { wrapPipelineExec, wrapSendCommand, wrapSetStatus, wrapSilentEmit } = require('./patches') as typeof Patches;
    const pipeline = prototypeOf(ioredis.Pipeline);
    // Not a shimmer wrap (upstream's InstrumentationBase._wrap): another instrumentation's unwrap would remove ours (see ownWrapper.ts).
    if (pipeline) wrapOwn(pipeline, 'exec', wrapPipelineExec(recorder));
    const redis = prototypeOf(ioredis.Redis);
    if (redis) {
      wrapOwn(redis, 'silentEmit', wrapSilentEmit(recorder));
      wrapOwn(redis, 'setStatus', wrapSetStatus(recorder));
      wrapOwn(redis, 'sendCommand', wrapSendCommand(recorder));
    }
    const cluster = prototypeOf(ioredis.Cluster);
    if (cluster) wrapOwn(cluster, 'setStatus', wrapSetStatus(recorder));
  }

  /** Only what is ours: a copy can be reached both by the hook and through the cache. */
  private unpatch(ioredis: IoredisModule): void {
    const pipeline = prototypeOf(ioredis.Pipeline);
    if (pipeline) unwrapOwn(pipeline, 'exec');
    const redis = prototypeOf(ioredis.Redis);
    if (redis) for (const name of ['silentEmit', 'setStatus', 'sendCommand']) unwrapOwn(redis, name);
    const cluster = prototypeOf(ioredis.Cluster);
    if (cluster) unwrapOwn(cluster, 'setStatus');
  }
}
