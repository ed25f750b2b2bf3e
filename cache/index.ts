/**
 * `querylens/cache`: the tiered cache, and the hooks other instrumentations
 * use to tie database time and Redis reads to caches.
 */
export {
  createTieredCache,
  type CacheEntryOptions, type CacheLoader, type CacheSerializer, type TieredCache, type TieredCacheOptions,
} from './tieredCache';
export type { QueryAnswer, QueryCacheOptions, QueryRunner } from './queryCaching';
export { LoaderTimeoutError } from './loadDeadlines';
export { currentLoaderScope, recordDatabaseTimeInLoader, type LoaderDatabaseTime } from '../instrumentations/cacheTelemetry/loaderScope';
