/** Programmatic API: `require('querylens').startAgent()` is what the preload does. */
export { startAgent, type AgentHandle } from './start';
export { readConfig, type QuerylensConfig } from './config';
export { METRICS, ATTR } from '../core/metrics/registry';
export { nameCache } from '../instrumentations/lru-cache/index';
export { runInUnitOfWork as unitOfWork } from '../instrumentations/http/requestContext';
