/**
 * Test runner set-up (vitest.config.mjs `setupFiles`). The agent requires a
 * few of its own modules only when they are needed (the line of an agent that
 * could not start, the ioredis capture once
 * the app loads ioredis, lru-cache's instrumented class once it loads
 * lru-cache). Built, those are `require`s of compiled files. Under the test
 * runner the sources are TypeScript, which Node.js's `require` neither finds
 * nor shares with the runner's module graph. So each such module is
 * imported here and its `require` is answered with the runner's copy. A lazy
 * `require` of the agent's that is missing here fails its tests: with
 * "Cannot find module", or, where the agent counts the error rather than
 * throw it, with nothing recorded. Being imported here, these modules are
 * loaded before every test file, so that they load lazily is tested end to
 * end only, on `dist/` (test/e2e/start-stages.test.ts).
 */
import Module from 'node:module';
import { dirname, join, resolve } from 'node:path';
import * as agentOff from '../../agent/agentOff';
import * as ioredisPatches from '../../instrumentations/ioredis/patches';
import * as ioredisRecorder from '../../instrumentations/ioredis/recorder';
import * as lruCacheInstrumentedClass from '../../instrumentations/lru-cache/instrumentedClass';

const ROOT = join(__dirname, '..', '..');

const LAZY_MODULES: Record<string, unknown> = {
  'agent/agentOff.ts': agentOff,
  'instrumentations/ioredis/patches.ts': ioredisPatches,
  'instrumentations/ioredis/recorder.ts': ioredisRecorder,
  'instrumentations/lru-cache/instrumentedClass.ts': lruCacheInstrumentedClass,
};

type Resolver = (request: string, parent: Module | null | undefined, ...rest: unknown[]) => string;
const internals = Module as unknown as { _resolveFilename: Resolver; _cache: Record<string, unknown> };

for (const [file, exports] of Object.entries(LAZY_MODULES)) {
  const filename = join(ROOT, file);
  internals._cache[filename] = { id: filename, filename, loaded: true, exports, children: [], paths: [] };
}

const resolveFilename = internals._resolveFilename;
internals._resolveFilename = function resolveLazyOwnModule(request, parent, ...rest) {
  const from = parent?.filename;
  if (from !== undefined && from.endsWith('.ts') && request.startsWith('.')) {
    const candidate = `${resolve(dirname(from), request)}.ts`;
    if (Object.hasOwn(LAZY_MODULES, candidate.slice(ROOT.length + 1))) return candidate;
  }
  return resolveFilename.call(this, request, parent, ...rest);
};
