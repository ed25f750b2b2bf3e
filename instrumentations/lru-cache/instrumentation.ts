/**
 * Automatic lru-cache instrumentation (v10 and v11, CommonJS and ESM): the
 * module's `LRUCache` export is replaced by the instrumented subclass of
 * instrumentedClass.ts, and the cache metrics are bound to this
 * instrumentation's meter (which also carries the tiered cache's and the
 * Redis-as-cache counts, see ../cache/cacheMetrics.ts). The subclass loads
 * when the app first loads lru-cache, not at the agent's start.
 */
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { CaptureInstrumentation, type PackagePatch } from '../../core/captureInstrumentation';
import { AGENT_VERSION } from '../../core/version';
import { reportAgentError } from '../../core/agentErrors';
import { bindCacheMetrics } from '../cacheTelemetry/cacheMetrics';
import type * as InstrumentedClass from './instrumentedClass';
import type { LruCacheClass } from './instrumentedClass';
import { LRU_CACHE_PACKAGE } from '../../core/instrumentedPackages';

const SUPPORTED_MAJORS = [10, 11];

interface LruCacheModule {
  LRUCache?: unknown;
}

/** The instrumented class per original, so patching twice (CJS and ESM of one copy) reuses it. */
const instrumentedOf = new WeakMap<LruCacheClass, LruCacheClass>();
const originalOf = new WeakMap<LruCacheClass, LruCacheClass>();

export class LruCacheInstrumentation extends CaptureInstrumentation<InstrumentationConfig> {
  constructor(config: InstrumentationConfig = {}) {
    super('querylens-instrumentation-lru-cache', AGENT_VERSION, config, 'lru-cache-instrumentation');
  }

  override packagePatches(): readonly PackagePatch[] {
    return [{
      name: LRU_CACHE_PACKAGE,
      supportedMajors: SUPPORTED_MAJORS,
      patch: (moduleExports) => patchModule(moduleExports as LruCacheModule),
      unpatch: (moduleExports) => unpatchModule(moduleExports as LruCacheModule),
    }];
  }

  protected override updateMetricInstruments(): void {
    bindCacheMetrics(this.meter);
  }
}

function patchModule(moduleExports: LruCacheModule): LruCacheModule {
  try {
    const current = moduleExports.LRUCache;
    if (typeof current !== 'function' || originalOf.has(current as LruCacheClass)) return moduleExports;
    const original = current as LruCacheClass;
    let instrumented = instrumentedOf.get(original);
    if (instrumented === undefined) {
      const { instrumentLruCacheClass } = require('./instrumentedClass') as typeof InstrumentedClass;
      instrumented = instrumentLruCacheClass(original);
      instrumentedOf.set(original, instrumented);
      originalOf.set(instrumented, original);
    }
    moduleExports.LRUCache = instrumented;
  } catch (error) {
    reportAgentError('lru-cache-instrumentation', error);
  }
  return moduleExports;
}

function unpatchModule(moduleExports: LruCacheModule): void {
  try {
    const original = originalOf.get(moduleExports.LRUCache as LruCacheClass);
    if (original !== undefined) moduleExports.LRUCache = original;
  } catch (error) {
    reportAgentError('lru-cache-instrumentation', error);
  }
}
