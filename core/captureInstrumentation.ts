/**
 * What each of the agent's instrumentations (pg, ioredis, lru-cache) shares:
 * its configuration, its meter and tracer, and the packages it patches
 * through the agent's own module hook (moduleHook.ts). It has the shape of
 * OpenTelemetry's `Instrumentation`, so the SDK's `registerInstrumentations`
 * hands it the agent's providers as it does upstream's, and like upstream's
 * it is enabled when made and can be disabled and enabled again: disabling
 * unpatches what was patched, enabling patches it again.
 *
 * Until a meter provider is set, recordings are held (bounded) on a meter of
 * its own (metrics/heldMeter.ts); until a tracer provider is set, spans go to
 * the OpenTelemetry API's global tracer, loaded only then.
 */
import type { Meter, MeterProvider, Tracer, TracerProvider } from '@opentelemetry/api';
import type { Instrumentation, InstrumentationConfig } from '@opentelemetry/instrumentation';
import type { AgentComponent } from './agentErrors';
import { HeldMeterProvider } from './metrics/heldMeter';
import { hookPackages } from './moduleHook';
import { otelApi } from './otelApi';

/** One package an instrumentation patches, and how it undoes that. */
export interface PackagePatch {
  readonly name: string;
  readonly supportedMajors: readonly number[];
  /** `folder` holds the package's package.json (the module hook knows it; a test patching by hand may not). */
  patch(exports: unknown, version: string, folder?: string): unknown;
  unpatch(exports: unknown, version: string): void;
}

/** A copy of a package the hook handed over. */
interface LoadedPackage {
  readonly patch: PackagePatch;
  readonly exports: unknown;
  readonly version: string;
  readonly folder: string;
}

export abstract class CaptureInstrumentation<Config extends InstrumentationConfig> implements Instrumentation<Config> {
  private config: Config;
  private enabled = false;
  private hooked = false;
  private currentMeter: Meter;
  private tracerProvider: TracerProvider | undefined;
  private currentTracer: Tracer | undefined;
  private readonly loaded: LoadedPackage[] = [];

  constructor(
    readonly instrumentationName: string,
    readonly instrumentationVersion: string,
    config: Config,
    private readonly component: AgentComponent,
  ) {
    this.config = { enabled: true, ...config };
    this.currentMeter = new HeldMeterProvider().getMeter(instrumentationName, instrumentationVersion);
    this.updateMetricInstruments();
    if (this.config.enabled !== false) this.enable();
  }

  /** The packages this instrumentation patches. */
  abstract packagePatches(): readonly PackagePatch[];

  /** Makes the instruments on `this.meter`: at construction, and again on each new meter provider. */
  protected abstract updateMetricInstruments(): void;

  protected get meter(): Meter {
    return this.currentMeter;
  }

  protected get tracer(): Tracer {
    this.currentTracer ??= this.tracerProvider
      ? this.tracerProvider.getTracer(this.instrumentationName, this.instrumentationVersion)
      : otelApi().trace.getTracer(this.instrumentationName, this.instrumentationVersion);
    return this.currentTracer;
  }

  /** The copies of each package the module hook has handed over so far. */
  protected hookedExports(): unknown[] {
    return this.loaded.map((entry) => entry.exports);
  }

  getConfig(): Config {
    return this.config;
  }

  setConfig(config: Config): void {
    this.config = { enabled: true, ...config };
  }

  setMeterProvider(meterProvider: MeterProvider): void {
    this.currentMeter = meterProvider.getMeter(this.instrumentationName, this.instrumentationVersion);
    this.updateMetricInstruments();
  }

  setTracerProvider(tracerProvider: TracerProvider): void {
    this.tracerProvider = tracerProvider;
    this.currentTracer = undefined;
  }

  isEnabled(): boolean {
    return this.enabled;
  }

  enable(): void {
    if (this.enabled) return;
    this.enabled = true;
    if (!this.hooked) {
      this.hooked = true;
      hookPackages(this.packagePatches().map((patch) => ({
        name: patch.name,
        supportedMajors: patch.supportedMajors,
        component: this.component,
        patch: (exports: unknown, version: string, folder: string) => {
          this.loaded.push({ patch, exports, version, folder });
          return this.enabled ? patch.patch(exports, version, folder) : exports;
        },
      })));
      return;
    }
    for (const { patch, exports, version, folder } of this.loaded) patch.patch(exports, version, folder);
  }

  disable(): void {
    if (!this.enabled) return;
    this.enabled = false;
    for (const { patch, exports, version } of this.loaded) patch.unpatch(exports, version);
  }
}
