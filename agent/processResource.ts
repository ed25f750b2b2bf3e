/**
 * Resource attributes of the process, without its command line: the SDK's
 * process detector exports `process.command_args` and the executable path on
 * `target_info`, and a command line can carry secrets (`--password=…`,
 * connection strings, `node -e` scripts).
 */
import type { DetectedResource, ResourceDetector } from '@opentelemetry/resources';

export const processIdentityDetector: ResourceDetector = {
  detect(): DetectedResource {
    return {
      attributes: {
        'process.pid': process.pid,
        'process.runtime.name': 'nodejs',
        'process.runtime.version': process.versions.node,
        'process.executable.name': 'node',
      },
    };
  },
};
