/**
 * The npm packages capture patches, named once: the instrumentations hook
 * them by these names, and the ESM loader hook (agent/esmLoaderHook.ts)
 * intercepts exactly these, so an ES-module import of each reaches its patch.
 */
export const PG_PACKAGE = 'pg';
/** pg's pool, a package of its own that some apps import directly. */
export const PG_POOL_PACKAGE = 'pg-pool';
export const IOREDIS_PACKAGE = 'ioredis';
export const LRU_CACHE_PACKAGE = 'lru-cache';

export const INSTRUMENTED_PACKAGES: readonly string[] = [PG_PACKAGE, PG_POOL_PACKAGE, IOREDIS_PACKAGE, LRU_CACHE_PACKAGE];
