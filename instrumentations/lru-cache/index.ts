/** lru-cache instrumentation: the automatic instrumentation and the naming helper. */
export { LruCacheInstrumentation } from './instrumentation';
export { nameCache } from './trackedCaches';
