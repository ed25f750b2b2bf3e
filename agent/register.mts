/**
 * `node --import querylens/register app.mjs`: installs the ESM loader hook so
 * ES-module imports of pg and ioredis can be instrumented, then starts the
 * same agent as the CommonJS entry.
 */
import { register } from 'node:module';
import { createRequire } from 'node:module';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
createRequire(import.meta.url)('./register.js');
